package dev.asof.events;

import dev.asof.events.validation.AddressableId;
import dev.asof.events.validation.CurrencyCode;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Digits;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** A SKU's price, in force from {@code effectiveAt} (valid time; default: when received). */
@Schema(name = "PriceEvent", description = "type \"price\": a SKU's price, in force from effectiveAt")
public record PriceEvent(
        UUID id,
        @NotNull @Pattern(regexp = "[A-Za-z0-9._-]{1,64}", message = "must be 1-64 characters of A-Za-z0-9._-")
        @AddressableId
        String sku,
        @NotNull @DecimalMin(value = "0", message = "must be zero or more")
        @Digits(integer = 30, fraction = 4, message = "must have at most 4 decimals")
        BigDecimal amount,
        @NotNull @CurrencyCode
        String currency,
        Instant effectiveAt,
        @Size(max = 100)
        String source) implements Event {

    @Override
    public PriceEvent withId(UUID newId) {
        return new PriceEvent(newId, sku, amount, currency, effectiveAt, source);
    }

    public PriceEvent withEffectiveAt(Instant at) {
        return new PriceEvent(id, sku, amount, currency, at, source);
    }
}
