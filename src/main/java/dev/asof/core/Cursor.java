package dev.asof.core;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

/**
 * The one cursor codec: a page position as opaque text (base64url of its parts). Clients pass it
 * back unchanged; anything else is refused as invalid. A cursor that holds a position in system
 * time (a t) names its database's lineage in its kind (history pages), so that it is refused, not
 * read as a position of another database.
 */
public final class Cursor {
    private static final String SEPARATOR = "\u001f";
    private static final String VERSION = "1";

    private Cursor() {
    }

    public static String encode(String kind, Object... parts) {
        StringBuilder text = new StringBuilder(VERSION).append(SEPARATOR).append(kind);
        for (Object part : parts) {
            text.append(SEPARATOR).append(part);
        }
        return Base64.getUrlEncoder().withoutPadding().encodeToString(text.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** The parts of a cursor of {@code kind} with {@code count} parts; {@code null} when absent. */
    public static List<String> decode(String cursor, String kind, int count) {
        if (cursor == null || cursor.isEmpty()) {
            return null;
        }
        try {
            String text = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            List<String> parts = List.of(text.split(SEPARATOR, -1));
            if (parts.size() == count + 2 && VERSION.equals(parts.get(0)) && kind.equals(parts.get(1))) {
                return parts.subList(2, parts.size());
            }
        } catch (IllegalArgumentException notBase64) {
            // reported below
        }
        throw invalid();
    }

    /** The parts of a cursor of {@code kind} made of {@code count} whole numbers of zero or more; {@code null} when absent. */
    public static long[] decodeNumbers(String cursor, String kind, int count) {
        List<String> parts = decode(cursor, kind, count);
        if (parts == null) {
            return null;
        }
        long[] numbers = new long[count];
        for (int i = 0; i < count; i++) {
            numbers[i] = number(parts.get(i));
        }
        return numbers;
    }

    /** A whole number of zero or more inside a cursor, read by {@link AsOf#t}'s rule; anything else: {@link #invalid}. */
    public static long number(String part) {
        try {
            return AsOf.t("cursor", part);
        } catch (Refusal notANumber) {
            throw invalid();
        }
    }

    /** The answer to a cursor that no endpoint issued (or one whose parts do not parse): invalid. */
    public static Refusal invalid() {
        return Refusal.invalid("Parameter cursor is not a cursor this endpoint issued in this database (a history"
                + " cursor names a position in the database's lineage, which a datomic:mem database that started again"
                + " does not share); pass the value of a previous page's next link unchanged", null);
    }
}
