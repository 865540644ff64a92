package dev.asof.datomic;

import dev.asof.datomic.TimeTravel.Basis;

/**
 * A read's answer with the basis it was read at, for caching; {@code versionTag} names what beside
 * the basis decides an answer about "now" (the version answered, say), or is empty.
 */
public record Answer<T>(T body, Basis basis, String versionTag) {
}
