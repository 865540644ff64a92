package dev.asof.http;

import java.util.List;
import java.util.Map;

/**
 * An error that asof answers as problem+json. Services throw it; {@link ProblemMapper} renders it.
 * {@code headers} carries what the status needs, such as {@code Retry-After}.
 */
public class ProblemException extends RuntimeException {
    private final int status;
    private final String title;
    private final List<Problem.FieldError> errors;
    private final Map<String, String> headers;
    private final List<?> events;

    public ProblemException(int status, String title, String detail) {
        this(status, title, detail, null, Map.of());
    }

    public ProblemException(int status, String title, String detail, List<Problem.FieldError> errors,
            Map<String, String> headers) {
        this(status, title, detail, errors, headers, null);
    }

    private ProblemException(int status, String title, String detail, List<Problem.FieldError> errors,
            Map<String, String> headers, List<?> events) {
        super(detail, null, false, false);
        this.events = events;
        this.status = status;
        this.title = title;
        this.errors = errors;
        this.headers = headers;
    }

    public static ProblemException badRequest(String detail, List<Problem.FieldError> errors) {
        return new ProblemException(400, "Invalid request", detail, errors, Map.of());
    }

    public static ProblemException notFound(String detail) {
        return new ProblemException(404, "Not found", detail);
    }

    public static ProblemException unavailable(String detail, int retryAfterSeconds) {
        return new ProblemException(503, "Service unavailable", detail, null,
                Map.of("Retry-After", Integer.toString(retryAfterSeconds)));
    }

    /** The same problem, listing each event's outcome (POST /events). */
    public ProblemException withEvents(List<?> outcomes) {
        return new ProblemException(status, title, getMessage(), errors, headers, outcomes);
    }

    /** Each event's outcome, when the problem is about a POST /events request that reached the worker. */
    public List<?> events() {
        return events;
    }

    public int status() {
        return status;
    }

    public Problem toProblem() {
        return new Problem("about:blank", title, status, getMessage(), errors, events);
    }

    public Map<String, String> headers() {
        return headers;
    }
}
