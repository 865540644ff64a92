package dev.asof.journal;

/**
 * A journal write failed. As such (not a {@link JournalRefusedException}): PostgreSQL did not answer
 * in time, or the connection was lost, so the outcome is unknown — the write may still commit.
 */
public class JournalUnavailableException extends Exception {
    public JournalUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
