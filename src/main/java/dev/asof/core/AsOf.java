package dev.asof.core;

import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.regex.Pattern;

/**
 * A point in system time as a client names it: a Datomic {@code t} or an instant. The one parser of
 * time parameters; bad input is refused as invalid, naming the parameter and the accepted forms.
 */
public sealed interface AsOf permits AsOf.AtT, AsOf.AtInstant {

    String FORMS = "a Datomic t (a whole number, such as 1042) or an ISO-8601 instant (such as 2026-06-01T00:00:00Z)";

    record AtT(long t) implements AsOf {
    }

    record AtInstant(Instant instant) implements AsOf {
    }

    /** {@code null} when the parameter is absent. */
    static AsOf parse(String name, String value) {
        if (value == null || value.isEmpty()) {
            return null;
        }
        if (Digits.ONLY.matcher(value).matches()) {
            try {
                return new AtT(Long.parseLong(value));
            } catch (NumberFormatException e) {
                throw bad(name, value, FORMS);
            }
        }
        return new AtInstant(instant(name, value, FORMS));
    }

    /** An instant parameter (validAt, from, to as instants): ISO-8601 with a zone, or a date (midnight UTC). */
    static Instant instant(String name, String value) {
        return value == null || value.isEmpty() ? null
                : instant(name, value, "an ISO-8601 instant, such as 2026-06-01T00:00:00Z, or a date, such as 2026-06-01");
    }

    private static Instant instant(String name, String value, String forms) {
        Instant instant;
        try {
            instant = OffsetDateTime.parse(value).toInstant();
        } catch (DateTimeParseException notOffset) {
            try {
                instant = LocalDate.parse(value).atStartOfDay(ZoneOffset.UTC).toInstant();
            } catch (DateTimeParseException notDate) {
                throw bad(name, value, forms);
            }
        }
        if (!inRange(instant)) {
            throw bad(name, value, "an instant in the years 0001 to 9999");
        }
        return instant;
    }

    /** The instants asof takes anywhere (queries and events): years 0001 to 9999, which every key and sum can hold. */
    Instant EARLIEST = Instant.parse("0001-01-01T00:00:00Z");
    Instant LATEST = Instant.parse("9999-12-31T23:59:59.999Z");

    static boolean inRange(Instant instant) {
        return !instant.isBefore(EARLIEST) && !instant.isAfter(LATEST);
    }

    private static Refusal bad(String name, String value, String forms) {
        String shown = value.length() > 40 ? value.substring(0, 40) + "…" : value;
        return Refusal.invalid("Parameter " + name + " is not " + forms + ": '" + shown + "'",
                java.util.List.of(new FieldError(null, null, name, "must be " + forms)));
    }

    final class Digits {
        private static final Pattern ONLY = Pattern.compile("[0-9]{1,18}");

        private Digits() {
        }
    }
}
