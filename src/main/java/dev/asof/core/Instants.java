package dev.asof.core;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one reading of an instant that asof takes, in events ({@code effectiveAt}) and in queries
 * ({@code asOf}, {@code validAt}, {@code from}, {@code to}): RFC 3339's {@code date-time} — a date,
 * {@code T}, hours, minutes and seconds, an optional fraction of up to 9 digits, and {@code Z} or an
 * offset such as {@code +02:00} — or its {@code full-date} alone, meaning midnight UTC. Nothing else:
 * no number of seconds since the epoch ({@code "1700000000"}), no minutes without seconds, no week
 * or ordinal dates.
 *
 * <p>Two values RFC 3339's grammar admits are refused rather than folded into others: a leap second
 * ({@code :60}, which Java's time line and Datomic's cannot tell from {@code :59}) and {@code 24:00}
 * (send the next day's {@code 00:00}). Years 0001 to 9999, which every key and sum can hold.
 */
public final class Instants {
    private static final Pattern DATE_TIME = Pattern.compile(
            "(\\d{4})-(\\d{2})-(\\d{2})[Tt](\\d{2}):(\\d{2}):(\\d{2})(?:\\.(\\d{1,9}))?([Zz]|([+-])(\\d{2}):(\\d{2}))");
    private static final Pattern FULL_DATE = Pattern.compile("(\\d{4})-(\\d{2})-(\\d{2})");

    /** The earliest and latest instants asof takes. */
    public static final Instant EARLIEST = Instant.parse("0001-01-01T00:00:00Z");
    public static final Instant LATEST = Instant.parse("9999-12-31T23:59:59.999999999Z");

    /** What a field or parameter that holds an instant must be, for messages. */
    public static final String FORM = "an RFC 3339 instant, such as 2026-06-01T00:00:00Z (or a date, 2026-06-01,"
            + " meaning midnight UTC)";

    private Instants() {
    }

    /**
     * @param text what the client sent
     * @return the instant, to the nanosecond it names
     * @throws IllegalArgumentException saying what is wrong with it, in words fit for a problem detail
     */
    public static Instant parse(String text) {
        Matcher date = FULL_DATE.matcher(text);
        Instant instant;
        if (date.matches()) {
            instant = date(date.group(1), date.group(2), date.group(3)).atStartOfDay(ZoneOffset.UTC).toInstant();
        } else {
            Matcher at = DATE_TIME.matcher(text);
            if (!at.matches()) {
                throw new IllegalArgumentException("must be " + FORM);
            }
            LocalDate day = date(at.group(1), at.group(2), at.group(3));
            int hour = Integer.parseInt(at.group(4));
            int minute = Integer.parseInt(at.group(5));
            int second = Integer.parseInt(at.group(6));
            if (hour == 24) {
                throw new IllegalArgumentException("has hour 24: send 00:00 of the next day");
            }
            if (second == 60) {
                throw new IllegalArgumentException("is a leap second (:60), which this time line cannot tell from :59;"
                        + " send :59.999 or the next second");
            }
            if (hour > 23 || minute > 59 || second > 59) {
                throw new IllegalArgumentException("has a time of day that does not exist; must be " + FORM);
            }
            String fraction = at.group(7) == null ? "" : at.group(7);
            int nanos = fraction.isEmpty() ? 0 : Integer.parseInt((fraction + "00000000").substring(0, 9));
            long offsetSeconds = 0;
            if (at.group(9) != null) {
                int offsetHours = Integer.parseInt(at.group(10));
                int offsetMinutes = Integer.parseInt(at.group(11));
                if (offsetHours > 23 || offsetMinutes > 59) {
                    throw new IllegalArgumentException("has an offset that does not exist; must be " + FORM);
                }
                // RFC 3339 offsets reach ±23:59; java.time's ZoneOffset stops at ±18:00, so the offset is
                // taken off by hand (an instant, not a zone, is what is kept).
                offsetSeconds = (at.group(9).equals("-") ? -1 : 1) * (offsetHours * 3600L + offsetMinutes * 60L);
            }
            instant = LocalDateTime.of(day.getYear(), day.getMonth(), day.getDayOfMonth(), hour, minute, second, nanos)
                    .toInstant(ZoneOffset.UTC).minusSeconds(offsetSeconds);
        }
        if (instant.isBefore(EARLIEST) || instant.isAfter(LATEST)) {
            throw new IllegalArgumentException("must lie in the years 0001 to 9999 (UTC)");
        }
        return instant;
    }

    private static LocalDate date(String year, String month, String day) {
        try {
            return LocalDate.of(Integer.parseInt(year), Integer.parseInt(month), Integer.parseInt(day));
        } catch (DateTimeException e) {
            throw new IllegalArgumentException("has a date that does not exist; must be " + FORM);
        }
    }
}
