package dev.asof.customers;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;

/**
 * A customer as asof answers it, as known at {@code asOf}; attributes that are retracted are absent.
 * {@code basisT} is the t of the point read, as in {@link dev.asof.prices.PriceView}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CustomerView(String customerId, String name, String email, String tier, String country, String city,
        long t, Instant txInstant, long basisT, Instant asOf) {
}
