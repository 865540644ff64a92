package dev.asof.ingest;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * What POST /events answers: the transaction that holds the request's events (the latest one,
 * when they span several) and each event's outcome: {@code created} with its t, {@code duplicate}
 * with the original t, {@code queued} (Prefer: respond-async), {@code failed} with the reason, or {@code unknown}
 * (the journal did not confirm in time: it may yet be recorded; a retry with the same id tells).
 * A created event that changes nothing — its version already held that state (amount and currency,
 * period end, end), or it
 * only clears fields of a customer that is not there (never created, or deleted) — says
 * {@code "changed": false}: it is recorded (its id, its t, in /tx and /changes), and no answer moved.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record IngestResult(Long t, Instant txInstant, List<EventOutcome> events) {
    public static final String CREATED = "created";
    public static final String DUPLICATE = "duplicate";
    public static final String QUEUED = "queued";
    public static final String FAILED = "failed";
    public static final String UNKNOWN = "unknown";

    /**
     * {@code t} is absent while an event is only queued, and when it failed; {@code reason} only when
     * it failed; {@code changed} only as false, when a created event changes nothing (where the
     * writer can tell: not with several Datomic Pro peers writing).
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record EventOutcome(UUID id, String status, Long t, String reason, Boolean changed) {
        public EventOutcome(UUID id, String status, Long t) {
            this(id, status, t, null, null);
        }

        public EventOutcome(UUID id, String status, Long t, String reason) {
            this(id, status, t, reason, null);
        }
    }

    public boolean allDuplicates() {
        return events.stream().allMatch(e -> DUPLICATE.equals(e.status()));
    }
}
