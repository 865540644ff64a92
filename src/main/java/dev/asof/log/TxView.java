package dev.asof.log;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** One transaction in domain terms: when, which events, from which sources, and what changed. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TxView(long t, Instant txInstant, List<EventRef> events, List<String> sources, List<Change> changes) {

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record EventRef(UUID id, String type, String subject, String source) {
    }

    /**
     * One datom: {@code entity} names what changed ({@code {"sku": …, "effectiveAt": …}} or
     * {@code {"customerId": …}}), {@code attribute} which field, {@code op} assert or retract.
     */
    public record Change(Map<String, Object> entity, String attribute, Object value, String op) {
    }
}
