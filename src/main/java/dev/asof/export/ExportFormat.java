package dev.asof.export;

import dev.asof.core.MediaTypes;
import dev.asof.core.Refusal;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import java.util.Locale;

/**
 * The two media types a whole list streams as: NDJSON (one JSON object a line) and CSV (a header
 * row, then one row an item; RFC 4180 quoting). Which one a request asks for: {@code format=} (a
 * link can name it), or else its {@code Accept} header, where either must come before anything
 * that JSON satisfies ({@code application/json}, {@code *}{@code /*}) — a client that takes JSON
 * gets the page it always did.
 */
public enum ExportFormat {
    NDJSON(MediaTypes.NDJSON, "ndjson"),
    CSV(MediaTypes.CSV, "csv");

    public final String mediaType;
    /** The {@code format=} value, and the file name's extension. */
    public final String extension;

    ExportFormat(String mediaType, String extension) {
        this.mediaType = mediaType;
        this.extension = extension;
    }

    /** The content type an export answers with (CSV and NDJSON are UTF-8). */
    public String contentType() {
        return this == CSV ? mediaType + "; charset=utf-8; header=present" : mediaType;
    }

    /**
     * The export the request asks for, or null for the JSON page.
     *
     * @throws Refusal invalid when {@code format} names neither
     */
    public static ExportFormat requested(String format, HttpHeaders headers) {
        if (format != null && !format.isEmpty()) {
            for (ExportFormat candidate : values()) {
                if (candidate.extension.equals(format)) {
                    return candidate;
                }
            }
            if ("json".equals(format)) {
                return null;
            }
            throw Refusal.invalid("Parameter format must be json, ndjson or csv: '"
                    + (format.length() > 20 ? format.substring(0, 20) + "…" : format) + "'", null);
        }
        // Most preferred first (JAX-RS orders them by q, then specificity).
        for (MediaType accepted : headers.getAcceptableMediaTypes()) {
            for (ExportFormat candidate : values()) {
                if (!accepted.isWildcardType() && !accepted.isWildcardSubtype()
                        && candidate.mediaType.equals(accepted.getType() + "/" + accepted.getSubtype().toLowerCase(Locale.ROOT))) {
                    return candidate;
                }
            }
            if (accepted.isCompatible(MediaType.APPLICATION_JSON_TYPE)) {
                return null;
            }
        }
        return null;
    }
}
