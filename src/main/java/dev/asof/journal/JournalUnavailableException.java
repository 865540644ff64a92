package dev.asof.journal;

/** PostgreSQL did not answer a journal write in time, or lost the connection: its outcome is unknown. */
public class JournalUnavailableException extends Exception {
    public JournalUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
