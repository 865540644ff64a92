package dev.asof.ingest;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * What POST /events answers: the transaction that holds the request's events (the latest one,
 * when a bulk load spans several) and each event's outcome.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record IngestResult(Long t, Instant txInstant, List<EventOutcome> events) {
    public static final String CREATED = "created";
    public static final String DUPLICATE = "duplicate";
    public static final String QUEUED = "queued";

    /** {@code t} is absent while an event is only queued. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record EventOutcome(UUID id, String status, Long t) {
    }

    public boolean allDuplicates() {
        return events.stream().allMatch(e -> DUPLICATE.equals(e.status()));
    }
}
