package dev.asof.prices;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import dev.asof.datomic.PriceVersion;
import java.math.BigDecimal;
import dev.asof.datomic.EventHistory;
import dev.asof.core.HistoryItem;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import java.time.Instant;
import java.util.UUID;

/**
 * One recorded fact about a SKU's prices at t: a version's state asserted ({@code op} "assert"),
 * the state it replaced ("retract", just before the assertion), or a version withdrawn
 * ("withdraw": the state taken out of valid time). A state is a price ({@code amount},
 * {@code currency}), an end ({@code ended}: true, no amount), and either for a period when
 * {@code effectiveUntil} is there.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PriceChange(long t, Instant txInstant, Instant effectiveAt, Instant effectiveUntil, BigDecimal amount,
        String currency, Boolean ended, String op, UUID eventId, @JsonIgnore @Schema(hidden = true) long event)
        implements HistoryItem {

    /** The item telling {@code state} of a version, {@code op} at t. */
    static PriceChange of(long t, Instant txInstant, PriceVersion state, String op, UUID eventId, long event) {
        return new PriceChange(t, txInstant, state.start(), state.until(), state.amount(), state.currency(),
                state.ended() ? Boolean.TRUE : null, op, eventId, event);
    }

    /** Sorts as the history reads: by t, then event (the order they were sent), a retraction before the assertion that replaces it. */
    @Override
    @JsonIgnore
    public String position() {
        return EventHistory.position(t, event) + ("retract".equals(op) ? ".0" : ".1");
    }
}
