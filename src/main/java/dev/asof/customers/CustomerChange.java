package dev.asof.customers;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import dev.asof.datomic.EventHistory;
import dev.asof.datomic.PersonalData;
import dev.asof.core.HistoryItem;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import java.time.Instant;
import java.util.UUID;

/**
 * One attribute of a customer asserted or retracted at t ({@code attribute} "id" marks creation and
 * deletion). Of an erased customer, a personal attribute's change has no {@code value} and
 * {@code erased: true}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CustomerChange(long t, Instant txInstant, String attribute, Object value, Boolean erased, String op,
        UUID eventId, @JsonIgnore @Schema(hidden = true) long event) implements HistoryItem {

    /** A change of {@code value} as stored: a placeholder an erasure left shows as no value, erased. */
    static CustomerChange of(long t, Instant txInstant, String attribute, Object value, String op, UUID eventId, long event) {
        boolean erased = PersonalData.isErased(value);
        return new CustomerChange(t, txInstant, attribute, erased ? null : value, erased ? Boolean.TRUE : null, op, eventId,
                event);
    }

    /** Sorts as the history reads: by t (one event a transaction), then attribute, a retraction before an assertion. */
    @Override
    @JsonIgnore
    public String position() {
        return EventHistory.position(t, event) + "." + attribute + ("retract".equals(op) ? ".0" : ".1");
    }
}
