package dev.asof.journal;

/** The journal refused a write before sending it (PostgreSQL unreachable, writer lock lost): certainly nothing was written. */
public class JournalRefusedException extends JournalUnavailableException {
    public JournalRefusedException(String message, Throwable cause) {
        super(message, cause);
    }
}
