package dev.asof.events;

import com.fasterxml.jackson.annotation.JsonIgnore;
import dev.asof.events.validation.AddressableId;
import dev.asof.events.validation.CurrencyCode;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Digits;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * A SKU's price in valid time, one of four kinds (the version it writes is the SKU's at
 * {@code effectiveAt}; default: when received):
 * <ul>
 * <li>a <b>price</b> ({@code amount}, {@code currency}): in force from {@code effectiveAt} until the
 *     next open-ended version starts;</li>
 * <li>a <b>period</b> (also {@code effectiveUntil}, exclusive): in force in
 *     {@code [effectiveAt, effectiveUntil)} only, over what holds there otherwise;</li>
 * <li>an <b>end</b> ({@code "ended": true}, no amount): no price from {@code effectiveAt} on, or for
 *     the period with {@code effectiveUntil};</li>
 * <li>a <b>withdrawal</b> ({@code "withdrawn": true}, no amount, an explicit {@code effectiveAt}): the
 *     version at exactly {@code effectiveAt} is taken out of valid time.</li>
 * </ul>
 * The rule that combines them is the README's (section "Valid periods, ends and withdrawals");
 * {@code ended} and {@code withdrawn} are null unless true (false reads as absent).
 */
@Schema(name = "PriceEvent", description = "type \"price\": a SKU's price from effectiveAt (until effectiveUntil, if"
        + " given); or, with ended, no price there; or, with withdrawn, the version at effectiveAt taken back")
public record PriceEvent(
        UUID id,
        @NotNull @Pattern(regexp = "[A-Za-z0-9._-]{1,64}", message = "must be 1-64 characters of A-Za-z0-9._-")
        @AddressableId
        String sku,
        @DecimalMin(value = "0", message = "must be zero or more")
        @Digits(integer = 30, fraction = 4, message = "must have at most 4 decimals")
        @Schema(description = "Required for a price; absent with ended or withdrawn")
        BigDecimal amount,
        @CurrencyCode
        @Schema(description = "Required for a price; absent with ended or withdrawn")
        String currency,
        @Schema(description = "Valid time the version starts (RFC 3339); default when received; required with withdrawn")
        Instant effectiveAt,
        @Schema(description = "Exclusive end of a period (RFC 3339), after effectiveAt; absent: open-ended")
        Instant effectiveUntil,
        @Schema(description = "true: no price from effectiveAt (until effectiveUntil, if given)")
        Boolean ended,
        @Schema(description = "true: withdraw the version that starts exactly at effectiveAt")
        Boolean withdrawn,
        @Size(max = 100)
        String source) implements Event {

    public PriceEvent {
        ended = Boolean.TRUE.equals(ended) ? Boolean.TRUE : null;
        withdrawn = Boolean.TRUE.equals(withdrawn) ? Boolean.TRUE : null;
    }

    /** A price in force from {@code effectiveAt} until the next open-ended version. */
    public PriceEvent(UUID id, String sku, BigDecimal amount, String currency, Instant effectiveAt, String source) {
        this(id, sku, amount, currency, effectiveAt, null, null, null, source);
    }

    @Override
    public PriceEvent withId(UUID newId) {
        return new PriceEvent(newId, sku, amount, currency, effectiveAt, effectiveUntil, ended, withdrawn, source);
    }

    public PriceEvent withEffectiveAt(Instant at) {
        return new PriceEvent(id, sku, amount, currency, at, effectiveUntil, ended, withdrawn, source);
    }

    /** The same event with its valid times as Datomic keeps them (milliseconds), {@code receivedAt} for an absent start. */
    public PriceEvent recordedAt(Instant receivedAt) {
        Instant at = (effectiveAt == null ? receivedAt : effectiveAt).truncatedTo(ChronoUnit.MILLIS);
        Instant until = effectiveUntil == null ? null : effectiveUntil.truncatedTo(ChronoUnit.MILLIS);
        return new PriceEvent(id, sku, amount, currency, at, until, ended, withdrawn, source);
    }

    @JsonIgnore
    @Schema(hidden = true)
    public boolean isEnd() {
        return ended != null;
    }

    @JsonIgnore
    @Schema(hidden = true)
    public boolean isWithdrawal() {
        return withdrawn != null;
    }

    /**
     * What is wrong with the combination of fields (each field on its own is checked by its
     * constraints), by field name, in a stable order; empty when it is one of the four kinds.
     * {@code receivedAt} stands for an absent {@code effectiveAt} (null: none can, and a period's end
 * is not checked).
     */
    public Map<String, String> shapeProblems(Instant receivedAt) {
        Map<String, String> problems = new LinkedHashMap<>();
        if (isEnd() && isWithdrawal()) {
            problems.put("withdrawn", "an event is either an end (ended) or a withdrawal (withdrawn), not both");
            return problems;
        }
        String kind = isEnd() ? "an end (ended: true)" : isWithdrawal() ? "a withdrawal (withdrawn: true)" : null;
        if (kind == null) {
            if (amount == null) {
                problems.put("amount", "is required (or ended: true for no price, or withdrawn: true)");
            }
            if (currency == null) {
                problems.put("currency", "is required (or ended: true for no price, or withdrawn: true)");
            }
        } else {
            if (amount != null) {
                problems.put("amount", "must be absent in " + kind);
            }
            if (currency != null) {
                problems.put("currency", "must be absent in " + kind);
            }
        }
        if (isWithdrawal()) {
            if (effectiveAt == null) {
                problems.put("effectiveAt", "is required in a withdrawal: the valid time of the version it withdraws");
            }
            if (effectiveUntil != null) {
                problems.put("effectiveUntil", "must be absent in a withdrawal: it withdraws the whole version that"
                        + " starts at effectiveAt, period and all");
            }
        } else if (effectiveUntil != null) {
            // Datomic keeps milliseconds: the period is judged as it will be recorded.
            Instant from = effectiveAt != null ? effectiveAt : receivedAt;
            if (from != null && !effectiveUntil.truncatedTo(ChronoUnit.MILLIS).isAfter(from.truncatedTo(ChronoUnit.MILLIS))) {
                problems.put("effectiveUntil", "must be after effectiveAt (" + from + "): a period is [effectiveAt,"
                        + " effectiveUntil)");
            }
        }
        return problems;
    }
}
