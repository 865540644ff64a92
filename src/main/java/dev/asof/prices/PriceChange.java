package dev.asof.prices;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.math.BigDecimal;
import dev.asof.http.HistoryItem;
import java.time.Instant;
import java.util.UUID;

/** One recorded fact about a SKU's prices: a version asserted or retracted at t. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PriceChange(long t, Instant txInstant, Instant effectiveAt, BigDecimal amount, String currency, String op,
        UUID eventId) implements HistoryItem {

    /** Sorts as the history reads: by t, then valid time, a retraction before the assertion that replaces it. */
    @Override
    @JsonIgnore
    public String position() {
        return String.format("%019d.%s.%s", t, PriceKeys.sortable(effectiveAt.toEpochMilli()), "retract".equals(op) ? "0" : "1");
    }
}
