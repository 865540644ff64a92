package dev.asof.support;

import datomic.Connection;
import dev.asof.events.CustomerEvent;
import dev.asof.events.Event;
import dev.asof.events.PriceEvent;
import dev.asof.events.Received;
import dev.asof.events.TxData;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;

/**
 * Random histories built by the writer's own {@link TxData}, for property tests: customers created,
 * changed, cleared, deleted and created again (one id an email address), and prices, periods, ends.
 */
public final class GeneratedHistory {
    public static final List<String> IDS = List.of("c0", "c1", "ada@example.com", "c3");
    private static final List<String> NAMES = List.of("Ada", "Bea", "Cyd");
    private static final List<String> CITIES = List.of("Paris", "Rome");
    private static final List<String> TIERS = List.of("gold", "silver");
    private static final List<String> SKUS = List.of("s0", "s1", "s2");

    private GeneratedHistory() {
    }

    /** Transacts {@code transactions} random batches on {@code conn}; the transaction data of each one Datomic took, in order. */
    public static List<List<Object>> write(Connection conn, Random random, int transactions) throws InterruptedException {
        List<List<Object>> written = new ArrayList<>();
        Instant instant = Instant.parse("2026-01-01T00:00:00Z");
        for (int tx = 0; tx < transactions; tx++) {
            List<Received> batch = new ArrayList<>();
            Set<String> subjects = new HashSet<>();
            for (int i = 0, n = 1 + random.nextInt(3); i < n; i++) {
                Event event = random.nextInt(3) == 0 ? price(random) : customer(random);
                Received received = Received.of(event, "hash-" + random.nextInt(1000));
                if (subjects.add(received.subject())) {
                    batch.add(received);
                }
            }
            instant = instant.plusSeconds(1 + random.nextInt(100));
            List<Object> txData = TxData.build(conn.db(), batch, instant, true);
            try {
                conn.transact(txData).get();
                written.add(txData);
            } catch (ExecutionException rejected) {
                // a batch the writer would have refused before (a period over nothing, say)
            }
        }
        return written;
    }

    private static Event customer(Random random) {
        String id = IDS.get(random.nextInt(IDS.size()));
        if (random.nextInt(8) == 0) {
            return new CustomerEvent(UUID.randomUUID(), id, null, null, null, null, null, true, null, null);
        }
        String name = random.nextBoolean() ? NAMES.get(random.nextInt(NAMES.size())) : null;
        String email = random.nextInt(3) == 0 ? name == null ? null : name.toLowerCase() + "@example.com" : null;
        String city = random.nextBoolean() ? CITIES.get(random.nextInt(CITIES.size())) : null;
        String tier = random.nextBoolean() ? TIERS.get(random.nextInt(TIERS.size())) : null;
        Set<String> cleared = random.nextInt(4) == 0 ? Set.of(random.nextBoolean() ? "name" : "city") : Set.of();
        if (cleared.contains("name")) {
            name = null;
        }
        if (cleared.contains("city")) {
            city = null;
        }
        return new CustomerEvent(UUID.randomUUID(), id, name, email, tier, null, city, null, "crm", cleared);
    }

    private static Event price(Random random) {
        String sku = SKUS.get(random.nextInt(SKUS.size()));
        Instant at = Instant.parse("2025-01-01T00:00:00Z").plusSeconds(86400L * random.nextInt(4));
        return switch (random.nextInt(4)) {
            case 0 -> new PriceEvent(UUID.randomUUID(), sku, null, null, at, at.plusSeconds(86400), true, null, null);
            case 1 -> new PriceEvent(UUID.randomUUID(), sku, new BigDecimal("2.50"), "EUR", at, at.plusSeconds(3600), null,
                    null, null);
            default -> new PriceEvent(UUID.randomUUID(), sku, new BigDecimal(random.nextInt(5) + ".99"), "EUR", at, "shop");
        };
    }
}
