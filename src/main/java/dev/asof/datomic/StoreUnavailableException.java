package dev.asof.datomic;

/** Datomic (or the storage behind it) cannot answer now; the client may retry. */
public class StoreUnavailableException extends RuntimeException {
    public StoreUnavailableException(String message) {
        super(message);
    }

    public StoreUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
