package dev.asof.log;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * One transaction in domain terms: when, which events, from which sources, and what changed. A
 * transaction too large for one read comes in parts: each part is a {@code TxView} with the same
 * {@code t}, {@code txInstant} and {@code sources}, some of the events and changes, and a
 * {@code part}; a whole transaction has no {@code part}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TxView(long t, Instant txInstant, List<EventRef> events, List<String> sources, List<Change> changes,
        Part part, Erasure erasure) {

    public TxView(long t, Instant txInstant, List<EventRef> events, List<String> sources, List<Change> changes, Part part) {
        this(t, txInstant, events, sources, changes, part, null);
    }

    /**
     * The erasure notice (issue 24): this transaction erased a customer's personal data from every
     * database value here. {@code transactions}: the t of every transaction whose messages held an
     * erased value — a consumer that keeps what asof published finds its copies by them and must
     * erase the customer's data there too (asof cannot rewrite what others hold). The customer is
     * not named: its id may be a person's email, and a digest of it could be confirmed by guessing.
     */
    public record Erasure(List<Long> transactions) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record EventRef(UUID id, String type, String subject, String source) {
    }

    /**
     * One datom: {@code entity} names what changed ({@code {"sku": …, "effectiveAt": …}} or
     * {@code {"customerId": …}}), {@code attribute} which field, {@code op} assert or retract. Of an
     * erased customer ({@code customerId} {@code erased}), a personal attribute's value is
     * absent and {@code erased} is true.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Change(Map<String, Object> entity, String attribute, Object value, Boolean erased, String op) {
    }

    /**
     * Which part of a split transaction an item holds: its datoms {@code from} (inclusive) to
     * {@code to} (exclusive) of the {@code of} datoms the Log holds for it, in the Log's order;
     * {@code more} when parts follow, and then {@code next}, the opaque cursor that resumes at
     * {@code to} ({@code /changes?cursor=}, {@code /tx/{t}?cursor=}, or an SSE {@code Last-Event-ID}).
     * The parts' events and changes, concatenated, are the whole transaction's.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Part(int from, int to, int of, boolean more, String next) {
    }
}
