package dev.asof.journal;

/** The journal cannot take a batch now (PostgreSQL away, or the writer lock lost); nothing was written. */
public class JournalUnavailableException extends Exception {
    public JournalUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
