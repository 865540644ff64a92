package dev.asof.ingest;

import datomic.Connection;
import datomic.Peer;
import datomic.Util;
import dev.asof.events.PriceEvent;
import dev.asof.events.Received;
import dev.asof.events.TxData;
import java.io.InputStreamReader;
import java.io.Reader;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.IntFunction;

/**
 * The ceiling the HTTP path is measured against: the same transaction data the transact worker
 * builds, committed straight to an in-process mem database, no HTTP, no queue, no validation.
 */
public final class RawTransact {
    private RawTransact() {
    }

    /**
     * Commits {@code events} price events in transactions of {@code batchSize}, each a new version of
     * a SKU seen for the first time (the worst case: the SKU is named too); returns events per second.
     */
    public static double eventsPerSecond(int batchSize, int events) throws Exception {
        return eventsPerSecond(batchSize, events, events);
    }

    /** As above, over {@code skus} SKUs in turn: after the first round, each event reprices a known SKU. */
    public static double eventsPerSecond(int batchSize, int events, int skus) throws Exception {
        return eventsPerSecond(batchSize, events, i -> "RAW-" + (i % skus));
    }

    /**
     * As above, event {@code i} for SKU {@code sku.apply(i)}. Where the SKUs fall matters: SKUs in
     * sequence add their index entries side by side, random ones all over each index (as clients'
     * SKUs do), which costs Datomic more per event; an anchor takes the SKUs of what it anchors.
     */
    public static double eventsPerSecond(int batchSize, int events, IntFunction<String> sku) throws Exception {
        String uri = "datomic:mem://raw-" + UUID.randomUUID();
        Peer.createDatabase(uri);
        Connection conn = Peer.connect(uri);
        try (Reader reader = new InputStreamReader(RawTransact.class.getResourceAsStream("/asof/schema.edn"),
                StandardCharsets.UTF_8)) {
            conn.transact((List<?>) Util.readAll(reader).get(0)).get();
        }
        List<List<Received>> batches = new ArrayList<>();
        Instant start0 = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        for (int start = 0; start < events; start += batchSize) {
            List<Received> received = new ArrayList<>();
            for (int i = start; i < Math.min(events, start + batchSize); i++) {
                PriceEvent event = new PriceEvent(UUID.randomUUID(), sku.apply(i), BigDecimal.valueOf(i, 2), "EUR",
                        start0.plusMillis(i), "bench");
                String hash = ContentHash.of(event);
                received.add(Received.of(event, hash));
            }
            batches.add(received);
        }
        long started = System.nanoTime();
        for (List<Received> batch : batches) {
            conn.transact(TxData.build(conn.db(), batch, Instant.now(), true)).get();
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        conn.release();
        Peer.deleteDatabase(uri);
        return events / seconds;
    }
}
