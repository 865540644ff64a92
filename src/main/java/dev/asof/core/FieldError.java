package dev.asof.core;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One bad field: the event's index in the batch, where it stood in the body — for NDJSON its
 * {@code line}, for CSV its {@code row} (the header is row 1, and a row is one record however
 * many line breaks its quoted cells hold, as a spreadsheet counts) — and the field's name (for
 * CSV, its column's header).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record FieldError(Integer index, Integer line, Integer row, String field, String message) {

    public FieldError(Integer index, Integer line, String field, String message) {
        this(index, line, null, field, message);
    }

    /** The same error told by row: {@code line} held the row's number while the body was read. */
    public FieldError asRow() {
        return line == null ? this : new FieldError(index, null, line, field, message);
    }
}
