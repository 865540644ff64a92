package dev.asof.ingest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import java.io.IOException;
import java.util.List;
import java.util.regex.Pattern;

/**
 * What is wrong with the JSON of a body or a message, in words for its sender: Jackson's account of
 * the fault and where it is, without what only concerns Jackson — its source excerpt
 * ({@code [Source: REDACTED …]}), the settings that would have let the input through
 * ({@code enable `JsonReadFeature.…` to allow}, {@code Feature 'ALLOW_COMMENTS' not enabled}), the
 * getters of its read limits, the Java types it was binding to. An account that still names such a
 * thing after that gives way to a plain one: no Jackson wording reaches a client it was not meant for.
 */
final class JsonErrors {
    /** "(start marker at [Source: …; line: 1, column: 1])": where an unclosed object or array began. */
    private static final Pattern START_MARKER = Pattern.compile(
            "\\s*\\(start marker at \\[Source: .*?; line: (\\d+), column: (\\d+)]\\)");
    /** ": enable `JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS` to allow", and the like. */
    private static final Pattern ENABLE_HINT = Pattern.compile(":?\\s*enable `[^`]*` to allow");
    /** " (not recognized as one since Feature 'ALLOW_COMMENTS' not enabled for parser)". */
    private static final Pattern NOT_ENABLED = Pattern.compile("\\s*\\(not recognized as one since Feature '[^']*' not enabled for parser\\)");
    /** ", from `StreamReadConstraints.getMaxNestingDepth()`" inside a read limit's account. */
    private static final Pattern LIMIT_GETTER = Pattern.compile(",\\s*from `[^`]*`");
    /** Anything left that names Jackson or Java rather than the JSON. */
    private static final Pattern INTERNAL = Pattern.compile(
            "`|\\[Source|REDACTED|Feature|StreamRead|jackson|com\\.fasterxml|java\\.|reference chain");

    private JsonErrors() {
    }

    /** The fault and, when Jackson knows it, its place: "… (line 3, column 7)". */
    static String describe(IOException e) {
        if (!(e instanceof JsonProcessingException json)) {
            return "unreadable body";
        }
        String message;
        if (json instanceof JsonMappingException mapping) {
            List<JsonMappingException.Reference> path = mapping.getPath();
            String field = path.isEmpty() ? null : path.get(path.size() - 1).getFieldName();
            message = trailing(mapping) ? "more follows the JSON value"
                    : "a value has the wrong type or format" + (field == null ? "" : ": " + field);
        } else {
            message = String.valueOf(json.getOriginalMessage());
            message = START_MARKER.matcher(message).replaceAll(" (opened at line $1, column $2)");
            message = ENABLE_HINT.matcher(message).replaceAll("");
            message = NOT_ENABLED.matcher(message).replaceAll("");
            message = LIMIT_GETTER.matcher(message).replaceAll("");
            if (INTERNAL.matcher(message).find()) {
                message = "malformed JSON";
            }
        }
        if (json.getLocation() != null && json.getLocation().getLineNr() > 0) {
            message += " (line " + json.getLocation().getLineNr() + ", column " + json.getLocation().getColumnNr() + ")";
        }
        return message;
    }

    /** Jackson's FAIL_ON_TRAILING_TOKENS: a second value after the first. */
    private static boolean trailing(JsonMappingException e) {
        return String.valueOf(e.getOriginalMessage()).startsWith("Trailing token");
    }
}
