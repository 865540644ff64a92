package dev.asof.core;

/** The media types asof reads and writes besides JSON: one spelling each, for annotations and code. */
public final class MediaTypes {
    /** Newline-delimited JSON: one JSON value a line. */
    public static final String NDJSON = "application/x-ndjson";
    /** CSV (RFC 4180), with a header row. */
    public static final String CSV = "text/csv";

    private MediaTypes() {
    }
}
