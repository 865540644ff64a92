package dev.asof.prices;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import dev.asof.core.Paged;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

/**
 * A page of what changed across every SKU ({@link PriceDiffs}): the two points compared —
 * {@code sinceT} and {@code since} (its instant), {@code basisT} and {@code asOf}, with the valid
 * times {@code validSince} and {@code validAt} — and the SKUs whose price differs, in SKU order;
 * {@code next} when there are more.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PriceDiff(long sinceT, Instant since, long basisT, Instant asOf, Instant validSince, Instant validAt,
        List<Item> items, String next, @JsonIgnore boolean bounded) implements Paged {

    /**
     * One SKU: its answer {@code before} (at since, validSince) and {@code after} (at asOf,
     * validAt), null where no price and no end is in force; between two known-at points, what its
     * events did in between ({@code changes}, oldest first, the first {@value PriceDiffs#CHANGES_INLINE};
     * {@code moreChanges} when there are more) and {@code history}, the link to all of them.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Item(String sku, @JsonInclude(JsonInclude.Include.ALWAYS) State before,
            @JsonInclude(JsonInclude.Include.ALWAYS) State after, List<PriceChange> changes, Boolean moreChanges,
            String history) {
    }

    /**
     * The version in force at one side: a price ({@code amount}, {@code currency}), or an end
     * ({@code ended}: true, no amount); {@code effectiveUntil} for a period's; {@code t} and
     * {@code txInstant} name the transaction that recorded it.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record State(BigDecimal amount, String currency, Instant effectiveAt, Instant effectiveUntil, Boolean ended,
            long t, Instant txInstant) {
    }
}
