package dev.asof.core;

import java.util.List;

/**
 * Why asof does not do what it was asked, in domain terms: the one error currency of the core.
 * Services and storage throw it (or fail a future with it); the edges translate its {@link Reason}:
 * the REST adapter into an HTTP status and problem+json ({@code dev.asof.http.ProblemMapper}, the
 * one home of that table), a broker consumer into redelivery or a dead letter ({@link
 * Reason#retryable()}).
 *
 * <p>Besides its reason it carries a title and a detail for people, one entry per bad field
 * ({@link FieldError}), the delay after which a retry may succeed, and, for a request whose events
 * reached the writer, each event's outcome.
 */
public class Refusal extends RuntimeException {

    /** What kind of no it is; each edge decides what that means on its wire. */
    public enum Reason {
        /** The input breaks a rule: a field, a parameter, a cursor, a point beyond the basis. */
        INVALID,
        /** Nothing is there: no such price, customer or transaction at that point. */
        NOT_FOUND,
        /** It was there and was erased for good (a customer's personal data, issue 24): it will not be again. */
        GONE,
        /** The credentials are valid but do not allow this (a write token asking to erase). */
        FORBIDDEN,
        /** More than one request or message may hold. */
        TOO_LARGE,
        /** An event id already recorded with other content. */
        CONFLICT,
        /** Datomic refused the events as data. */
        REJECTED,
        /** No room for it now (the ingest queue is full); it may be sent again after the delay. */
        BUSY,
        /**
         * It cannot be done now (starting, shutting down, storage or journal away, the clock behind,
         * an outcome not confirmed in time); it may be sent again after the delay.
         */
        UNAVAILABLE,
        /** The heap that holds the embedded database is nearly full: sending it again soon does not help. */
        HEAP_FULL,
        /** A fault of asof's own, logged where it happened. */
        INTERNAL;

        /** Whether the same request, sent again unchanged after a while, may succeed. */
        public boolean retryable() {
            return this == BUSY || this == UNAVAILABLE;
        }
    }

    private final Reason reason;
    private final String title;
    private final List<FieldError> errors;
    private final Integer retryAfterSeconds;
    private final List<?> events;

    public Refusal(Reason reason, String title, String detail) {
        this(reason, title, detail, null, null, null);
    }

    /** {@code retryAfterSeconds}: when a retry may succeed (null: nothing to say). */
    public Refusal(Reason reason, String title, String detail, List<FieldError> errors, Integer retryAfterSeconds) {
        this(reason, title, detail, errors, retryAfterSeconds, null);
    }

    private Refusal(Reason reason, String title, String detail, List<FieldError> errors, Integer retryAfterSeconds,
            List<?> events) {
        super(detail, null, false, false);
        this.reason = reason;
        this.title = title;
        this.errors = errors;
        this.retryAfterSeconds = retryAfterSeconds;
        this.events = events;
    }

    public static Refusal invalid(String detail, List<FieldError> errors) {
        return new Refusal(Reason.INVALID, "Invalid request", detail, errors, null);
    }

    public static Refusal notFound(String detail) {
        return new Refusal(Reason.NOT_FOUND, "Not found", detail);
    }

    public static Refusal unavailable(String detail, int retryAfterSeconds) {
        return new Refusal(Reason.UNAVAILABLE, "Service unavailable", detail, null, retryAfterSeconds);
    }

    /** The same refusal, listing each event's outcome (a request whose events reached the writer). */
    public Refusal withEvents(List<?> outcomes) {
        return new Refusal(reason, title, getMessage(), errors, retryAfterSeconds, outcomes);
    }

    public Reason reason() {
        return reason;
    }

    public String title() {
        return title;
    }

    public String detail() {
        return getMessage();
    }

    /** One entry per bad field, or null. */
    public List<FieldError> errors() {
        return errors;
    }

    /** Seconds after which the same request may succeed, or null. */
    public Integer retryAfterSeconds() {
        return retryAfterSeconds;
    }

    /** Each event's outcome ({@code IngestResult.EventOutcome}), when the request's events reached the writer; else null. */
    public List<?> events() {
        return events;
    }
}
