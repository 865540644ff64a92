package dev.asof.datomic;

import dev.asof.datomic.TimeTravel.Basis;

/** A read's answer with the basis it was read at; {@link Settledness} decides its caching from both. */
public record Answer<T>(T body, Basis basis) {
}
