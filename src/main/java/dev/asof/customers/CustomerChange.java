package dev.asof.customers;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import dev.asof.datomic.EventHistory;
import dev.asof.core.HistoryItem;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import java.time.Instant;
import java.util.UUID;

/** One attribute of a customer asserted or retracted at t ({@code attribute} "id" marks creation and deletion). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CustomerChange(long t, Instant txInstant, String attribute, Object value, String op, UUID eventId,
        @JsonIgnore @Schema(hidden = true) long event) implements HistoryItem {

    /** Sorts as the history reads: by t (one event a transaction), then attribute, a retraction before an assertion. */
    @Override
    @JsonIgnore
    public String position() {
        return EventHistory.position(t, event) + "." + attribute + ("retract".equals(op) ? ".0" : ".1");
    }
}
