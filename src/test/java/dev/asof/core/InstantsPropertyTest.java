package dev.asof.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The one reading of an instant ({@link Instants}), checked on generated text: every RFC 3339
 * date-time in the years 0001–9999 reads as the instant java.time builds from its parts, and text
 * that is not one — or is one asof refuses to fold (a leap second, 24:00) — is refused, saying why.
 */
class InstantsPropertyTest {

    @Test
    void everyGeneratedDateTimeReadsAsTheInstantItNames() {
        long seed = Long.getLong("asof.test.seed", System.nanoTime());
        Random random = new Random(seed);
        for (int i = 0; i < 20_000; i++) {
            int year = 1 + random.nextInt(9999);
            int month = 1 + random.nextInt(12);
            int day = 1 + random.nextInt(LocalDate.of(year, month, 1).lengthOfMonth());
            int hour = random.nextInt(24);
            int minute = random.nextInt(60);
            int second = random.nextInt(60);
            int digits = random.nextInt(10);
            String fraction = "";
            for (int d = 0; d < digits; d++) {
                fraction += random.nextInt(10);
            }
            int offsetMinutes = random.nextInt(4) == 0 ? 0 : random.nextInt(1439 * 2 + 1) - 1439;
            String zone = offsetMinutes == 0 && random.nextBoolean() ? (random.nextBoolean() ? "Z" : "z")
                    : String.format("%s%02d:%02d", offsetMinutes < 0 ? "-" : "+", Math.abs(offsetMinutes) / 60,
                            Math.abs(offsetMinutes) % 60);
            String text = String.format("%04d-%02d-%02d%s%02d:%02d:%02d%s%s", year, month, day,
                    random.nextBoolean() ? "T" : "t", hour, minute, second, digits == 0 ? "" : "." + fraction, zone);
            int nanos = digits == 0 ? 0 : Integer.parseInt((fraction + "000000000").substring(0, 9));
            // The model keeps the offset apart from java.time's zones, which stop at ±18:00 (RFC 3339's reach ±23:59).
            Instant expected = OffsetDateTime.of(year, month, day, hour, minute, second, nanos, ZoneOffset.UTC).toInstant()
                    .minusSeconds(offsetMinutes * 60L);
            if (expected.isBefore(Instants.EARLIEST) || expected.isAfter(Instants.LATEST)) {
                assertThatThrownBy(() -> Instants.parse(text)).as("seed %d: %s", seed, text)
                        .hasMessageContaining("0001 to 9999");
            } else {
                assertThat(Instants.parse(text)).as("seed %d: %s", seed, text).isEqualTo(expected);
            }
        }
    }

    @Test
    void aDateAloneIsMidnightUtc() {
        assertThat(Instants.parse("2026-06-01")).isEqualTo(Instant.parse("2026-06-01T00:00:00Z"));
        assertThat(Instants.parse("9999-12-31T23:59:59.9995Z")).isEqualTo(Instant.parse("9999-12-31T23:59:59.9995Z"));
        assertThat(Instants.parse("2026-06-01T00:00:00+23:59")).isEqualTo(Instant.parse("2026-05-31T00:01:00Z"));
        assertThat(Instants.parse("2026-06-01T00:00:00-19:00")).isEqualTo(Instant.parse("2026-06-01T19:00:00Z"));
    }

    /** The values, and their kin: numbers, leap seconds, 24:00, missing seconds, other calendars. */
    @ParameterizedTest
    @ValueSource(strings = {"1700000000", "1.5", "-86400", "0", "2016-12-31T23:59:60Z", "2016-12-31T23:59:60.500Z",
        "2026-06-01T24:00:00Z", "2026-06-01T00:00Z", "2026-06-01T00Z", "2026-06-01 00:00:00Z", "2026-06-01T00:00:00",
        "2026-02-30T00:00:00Z", "2026-13-01T00:00:00Z", "2026-06-01T00:00:00.1234567890Z", "2026-06-01T00:00:00+24:00",
        "2026-06-01T00:00:00+0200", "2026-W22-1", "2026-152", "+2026-06-01T00:00:00Z", "0000-12-31T23:59:59Z",
        "10000-01-01T00:00:00Z", "2026-06-01T00:00:00Z ", " 2026-06-01", "2026-6-1", "", "Z"})
    void whatIsNotAnRfc3339InstantIsRefused(String text) {
        assertThatThrownBy(() -> Instants.parse(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(text.contains(":60") ? "is a leap second" : text.contains("T24") ? "has hour 24" : "");
    }
}
