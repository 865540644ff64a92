package dev.asof.prices;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.math.BigDecimal;
import dev.asof.datomic.EventHistory;
import dev.asof.core.HistoryItem;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import java.time.Instant;
import java.util.UUID;

/** One recorded fact about a SKU's prices: a version asserted or retracted at t. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PriceChange(long t, Instant txInstant, Instant effectiveAt, BigDecimal amount, String currency, String op,
        UUID eventId, @JsonIgnore @Schema(hidden = true) long event) implements HistoryItem {

    /** Sorts as the history reads: by t, then event (the order they were sent), a retraction before the assertion that replaces it. */
    @Override
    @JsonIgnore
    public String position() {
        return EventHistory.position(t, event) + ("retract".equals(op) ? ".0" : ".1");
    }
}
