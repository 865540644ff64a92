package dev.asof.bench;

import java.time.Instant;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.UUID;

/**
 * The events k6/lib/data.js generates, for the open-loop generator: the same mix (nine price events
 * in ten, one customer event; a fifth of SKUs one of 20 hot ones; a tenth of prices with an
 * {@code effectiveAt} within 30 days of 1 June 2026), from a seeded generator so that runs compare.
 */
final class Bodies {
    private static final int SKUS = 10_000;
    private static final int HOT_SKUS = 20;
    private static final int CUSTOMERS = 5_000;
    private static final String[] CURRENCIES = {"EUR", "USD", "GBP"};
    private static final String[] TIERS = {"bronze", "silver", "gold", "platinum"};
    private static final String[] COUNTRIES = {"DE", "FR", "GB", "US", "NL", "SE"};
    private static final Instant JUNE = Instant.parse("2026-06-01T00:00:00Z");

    private Bodies() {
    }

    /** A JSON array of {@code n} events. */
    static String batch(SplittableRandom random, int n) {
        StringBuilder body = new StringBuilder(n * 160).append('[');
        for (int i = 0; i < n; i++) {
            if (i > 0) {
                body.append(',');
            }
            if (random.nextDouble() < 0.9) {
                price(random, body);
            } else {
                customer(random, body);
            }
        }
        return body.append(']').toString();
    }

    /** A SKU as k6 picks one: one in five of 20 hot SKUs, the rest spread over 10,000. */
    static String sku(SplittableRandom random) {
        return random.nextDouble() < 0.2 ? "HOT-" + random.nextInt(HOT_SKUS) : "SKU-" + random.nextInt(SKUS);
    }

    private static void price(SplittableRandom random, StringBuilder body) {
        body.append("{\"id\":\"").append(new UUID(random.nextLong(), random.nextLong()))
                .append("\",\"type\":\"price\",\"sku\":\"").append(sku(random))
                .append("\",\"amount\":").append(String.format(Locale.ROOT, "%.2f", random.nextInt(100_000) / 100.0))
                .append(",\"currency\":\"").append(CURRENCIES[random.nextInt(CURRENCIES.length)])
                .append("\",\"source\":\"open-loop\"");
        if (random.nextDouble() < 0.1) {
            body.append(",\"effectiveAt\":\"").append(JUNE.plusSeconds(86_400L * (random.nextInt(60) - 30))).append('"');
        }
        body.append('}');
    }

    private static void customer(SplittableRandom random, StringBuilder body) {
        String id = "C-" + random.nextInt(CUSTOMERS);
        body.append("{\"id\":\"").append(new UUID(random.nextLong(), random.nextLong()))
                .append("\",\"type\":\"customer\",\"customerId\":\"").append(id)
                .append("\",\"name\":\"Customer ").append(id)
                .append("\",\"email\":\"").append(id.toLowerCase(Locale.ROOT)).append("@example.com")
                .append("\",\"tier\":\"").append(TIERS[random.nextInt(TIERS.length)])
                .append("\",\"country\":\"").append(COUNTRIES[random.nextInt(COUNTRIES.length)]).append("\"}");
    }
}
