package dev.asof.ingest;

import dev.asof.core.MediaTypes;
import dev.asof.core.Refusal;
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

    /**
     * Refuses a CSV body that says it is in another charset than UTF-8 (a spreadsheet's export may
     * be in Windows-1252): asof reads UTF-8 only, and would otherwise read it wrong or refuse it
     * with a less helpful word.
     */
    public static void requireUtf8(String contentType) {
        if (contentType == null || of(contentType) != CSV) {
            return;
        }
        for (String parameter : contentType.split(";")) {
            String[] pair = parameter.strip().split("=", 2);
            if (pair.length == 2 && "charset".equalsIgnoreCase(pair[0].strip())) {
                String charset = pair[1].strip().replace("\"", "");
                if (!"utf-8".equalsIgnoreCase(charset) && !"utf8".equalsIgnoreCase(charset)) {
                    throw Refusal.invalid("A CSV body is read as UTF-8; charset=" + (charset.length() > 40
                            ? charset.substring(0, 40) + "…" : charset) + " is not taken: save the file as UTF-8", null);
                }
            }
        }
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
