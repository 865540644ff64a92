package dev.asof.events;

import java.util.List;

/**
 * An event as received: its id and valid time filled in, the hash of what the client sent, and
 * the transaction statements it will contribute.
 */
public record Received(Event event, String hash, List<Object> statements, String subject) {
    /** The event ready for the worker: its subject (the entity it may change) and statements, worked out once. */
    public static Received of(Event event, String hash) {
        return new Received(event, hash, TxData.statements(event, hash), TxData.subject(event));
    }
}
