package dev.asof.prices;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * A price as asof answers it: the version in force at {@code validAt}, as known at {@code asOf};
 * {@code t} and {@code txInstant} name the transaction that recorded that version, {@code basisT}
 * the database value read.
 */
public record PriceView(String sku, BigDecimal amount, String currency, Instant effectiveAt, long t, Instant txInstant,
        long basisT, Instant asOf, Instant validAt) {
}
