package dev.asof.core;

import com.fasterxml.jackson.annotation.JsonInclude;

/** One bad field: the event's index in the batch (for NDJSON also its line) and the field's name. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record FieldError(Integer index, Integer line, String field, String message) {
}
