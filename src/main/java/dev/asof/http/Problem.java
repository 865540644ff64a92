package dev.asof.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * An RFC 9457 problem detail: the one shape every asof error takes. {@code events} is asof's
 * extension member for POST /events: each event's outcome when a request did not fully succeed.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Problem(String type, String title, int status, String detail, List<FieldError> errors, List<?> events) {

    public Problem(String type, String title, int status, String detail, List<FieldError> errors) {
        this(type, title, status, detail, errors, null);
    }

    public static final String MEDIA_TYPE = "application/problem+json";

    /** One bad field: the event's index in the batch (for NDJSON also its line) and the field's name. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record FieldError(Integer index, Integer line, String field, String message) {
    }
}
