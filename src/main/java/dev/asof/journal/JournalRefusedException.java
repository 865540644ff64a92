package dev.asof.journal;

/**
 * The journal write certainly wrote nothing: PostgreSQL answered it with an error (the statement ran
 * in its own transaction, which rolled back), or it was never sent.
 */
public class JournalRefusedException extends JournalUnavailableException {
    public JournalRefusedException(String message, Throwable cause) {
        super(message, cause);
    }
}
