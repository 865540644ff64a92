package dev.asof.events;

import java.util.UUID;

/** One event a client sends: a price or a customer change. */
public sealed interface Event permits PriceEvent, CustomerEvent {

    UUID id();

    String source();

    /** The same event with the given id (used when the client sent none). */
    Event withId(UUID id);
}
