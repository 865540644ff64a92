package dev.asof.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.asof.core.FieldError;
import java.util.List;

/**
 * An RFC 9457 problem detail: the one shape every asof error takes. {@code events} is asof's
 * extension member for POST /events: each event's outcome when a request did not fully succeed.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Problem(String type, String title, int status, String detail, List<FieldError> errors, List<?> events) {

    public static final String MEDIA_TYPE = "application/problem+json";

    /** A problem with no type of its own ({@code about:blank}: the status says it), no field errors and no events. */
    public static Problem of(int status, String title, String detail) {
        return new Problem("about:blank", title, status, detail, null, null);
    }
}
