package dev.asof.prices;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.math.BigDecimal;
import java.time.Instant;

/**
 * A price as asof answers it: the version in force at {@code validAt}, as known at {@code asOf}
 * ({@code effectiveUntil} when it is a period's, absent for an open-ended version);
 * {@code t} and {@code txInstant} name the transaction that recorded that version; {@code basisT}
 * is the t of the point the answer was read at: the as-of {@code t} (an instant resolves to the last
 * transaction at or before it), or the database's basis t when reading now. The name is the API's;
 * in Datomic's terms an as-of value's basis stays the whole database's.
 */
public record PriceView(String sku, BigDecimal amount, String currency, Instant effectiveAt,
        @JsonInclude(JsonInclude.Include.NON_NULL) Instant effectiveUntil, long t, Instant txInstant,
        long basisT, Instant asOf, Instant validAt) {
}
