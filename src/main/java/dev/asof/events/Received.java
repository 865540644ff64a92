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

    /**
     * What this event keeps its order with: a price event's SKU — every version of it, since its
     * history reads in t order and must read in the order events were sent (a later version must
     * not overtake an earlier one that waits) — and a customer event's customer, its subject.
     */
    public Object orderKey() {
        return event instanceof PriceEvent price ? "sku:" + price.sku() : subject;
    }
}
