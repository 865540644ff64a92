package dev.asof.ingest;

import dev.asof.core.MediaTypes;
import java.util.Locale;

/**
 * What a POST /events body holds, by its {@code Content-Type} (JAX-RS has already refused any
 * other with 415): the one place that tells them apart.
 */
public enum BodyFormat {
    /** {@code application/json}: one event, or an array of events. */
    JSON("application/json"),
    /** {@code application/x-ndjson}: one event a line. */
    NDJSON(MediaTypes.NDJSON),
    /** {@code text/csv}: a header row naming event fields, then one event a row. */
    CSV(MediaTypes.CSV);

    public final String mediaType;

    BodyFormat(String mediaType) {
        this.mediaType = mediaType;
    }

    /** The format of a Content-Type header value (parameters such as charset aside); JSON when absent. */
    public static BodyFormat of(String contentType) {
        String type = contentType == null ? "" : contentType.toLowerCase(Locale.ROOT).strip();
        for (BodyFormat format : values()) {
            if (type.startsWith(format.mediaType)) {
                return format;
            }
        }
        return JSON;
    }
}
