package dev.asof.events;

import com.fasterxml.jackson.annotation.JsonIgnore;
import dev.asof.events.validation.AddressableId;
import dev.asof.events.validation.CountryCode;
import jakarta.validation.constraints.Email;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.util.Set;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * A change to a customer: fields present are set, fields sent as {@code null} are retracted
 * ({@link #cleared}), and {@code deleted: true} retracts the whole customer.
 */
@Schema(name = "CustomerEvent", description = "type \"customer\": fields present are set, null retracts a field, deleted retracts the customer")
public record CustomerEvent(
        UUID id,
        @NotBlank @Size(max = 64) @AddressableId
        String customerId,
        @Size(min = 1, max = 200)
        String name,
        @Email @Size(max = 254)
        String email,
        @Pattern(regexp = "bronze|silver|gold|platinum", message = "must be one of bronze, silver, gold, platinum")
        String tier,
        @CountryCode
        String country,
        @Size(min = 1, max = 200)
        String city,
        Boolean deleted,
        @Size(max = 100)
        String source,
        @JsonIgnore
        Set<String> cleared) implements Event {

    /**
     * The CSV column that names, space-separated, the customer fields a row clears: JSON's null,
     * which an empty cell cannot say (it is an absent field). Not a field of the event.
     */
    public static final String CLEAR = "clear";

    /** The customer attributes an event can set or clear, by their JSON names. */
    public static final Set<String> ATTRIBUTES = Set.of("name", "email", "tier", "country", "city");

    public CustomerEvent {
        cleared = cleared == null ? Set.of() : Set.copyOf(cleared);
    }

    @Override
    public CustomerEvent withId(UUID newId) {
        return new CustomerEvent(newId, customerId, name, email, tier, country, city, deleted, source, cleared);
    }

    public CustomerEvent withCleared(Set<String> fields) {
        return new CustomerEvent(id, customerId, name, email, tier, country, city, deleted, source, fields);
    }

    public boolean isDeletion() {
        return Boolean.TRUE.equals(deleted);
    }
}
