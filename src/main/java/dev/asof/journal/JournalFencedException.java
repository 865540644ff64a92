package dev.asof.journal;

/**
 * Another process holds the journal's writer role (its epoch moved past this process's): PostgreSQL
 * refused the write in the same statement that would have made it, so nothing was written, and this
 * process writes nothing again.
 */
public class JournalFencedException extends JournalRefusedException {
    public JournalFencedException(String message) {
        super(message, null);
    }
}
