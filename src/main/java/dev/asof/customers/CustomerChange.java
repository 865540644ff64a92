package dev.asof.customers;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import dev.asof.http.HistoryItem;
import java.time.Instant;
import java.util.UUID;

/** One attribute of a customer asserted or retracted at t ({@code attribute} "id" marks creation and deletion). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CustomerChange(long t, Instant txInstant, String attribute, Object value, String op, UUID eventId) implements HistoryItem {

    /** Sorts as the history reads: by t, then attribute, a retraction before an assertion. */
    @Override
    @JsonIgnore
    public String position() {
        return String.format("%019d.%s.%s", t, attribute, "retract".equals(op) ? "0" : "1");
    }
}
