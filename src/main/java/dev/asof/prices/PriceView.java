package dev.asof.prices;

import java.math.BigDecimal;
import java.time.Instant;

/** A price as asof answers it: the version in force, the transaction that recorded it, and the basis read. */
public record PriceView(String sku, BigDecimal amount, String currency, Instant effectiveAt, long t, Instant txInstant,
        long basisT) {
}
