package dev.asof.ingest;

import datomic.Connection;
import datomic.Peer;
import datomic.Util;
import dev.asof.events.PriceEvent;
import dev.asof.events.Received;
import dev.asof.events.TxData;
import dev.asof.support.PackagedService;
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

    /** What a raw run measured: events per second, and CPU milliseconds per 1,000 events (this JVM, all threads). */
    public record Rate(double eventsPerSecond, double cpuMillisPerThousand) {
    }

    /**
     * Commits {@code warm + events} price events in transactions of {@code batchSize}, event
     * {@code i} a new version of SKU {@code sku.apply(i)} (a SKU not seen before is named too), and
     * measures the last {@code events}: the first {@code warm} only fill the database, so that the
     * measured ones meet the database their anchored run meets. Where the SKUs fall matters: SKUs in
     * sequence add their index entries side by side, random ones all over each index (as clients'
     * SKUs do), which costs Datomic more per event; an anchor takes the SKUs of what it anchors.
     * Events are built before the clock and the CPU count start; the CPU counted is the whole
     * JVM's while the transactions run (Datomic's own threads and GC included).
     */
    public static Rate measure(int batchSize, int warm, int events, IntFunction<String> sku) throws Exception {
        return measure(batchSize, warm, events, sku, java.util.function.UnaryOperator.identity());
    }

    /** As above, on asof's schema as {@code schema} changes it (its attributes' maps): what a schema choice costs. */
    public static Rate measure(int batchSize, int warm, int events, IntFunction<String> sku,
            java.util.function.UnaryOperator<List<Object>> schema) throws Exception {
        String uri = "datomic:mem://raw-" + UUID.randomUUID();
        Peer.createDatabase(uri);
        Connection conn = Peer.connect(uri);
        try (Reader reader = new InputStreamReader(RawTransact.class.getResourceAsStream("/asof/schema.edn"),
                StandardCharsets.UTF_8)) {
            conn.transact(schema.apply(new ArrayList<>((List<?>) Util.readAll(reader).get(0)))).get();
        }
        Instant start0 = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        for (List<Received> batch : batches(0, warm, batchSize, sku, start0)) {
            conn.transact(TxData.build(conn.db(), batch, Instant.now(), true)).get();
        }
        List<List<Received>> batches = batches(warm, warm + events, batchSize, sku, start0);
        long cpu = PackagedService.cpu(ProcessHandle.current()).toNanos();
        long started = System.nanoTime();
        for (List<Received> batch : batches) {
            conn.transact(TxData.build(conn.db(), batch, Instant.now(), true)).get();
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        double cpuMillis = (PackagedService.cpu(ProcessHandle.current()).toNanos() - cpu) / 1e6;
        conn.release();
        Peer.deleteDatabase(uri);
        return new Rate(events / seconds, cpuMillis / (events / 1000.0));
    }

    private static List<List<Received>> batches(int from, int to, int batchSize, IntFunction<String> sku, Instant start0) {
        List<List<Received>> batches = new ArrayList<>();
        for (int start = from; start < to; start += batchSize) {
            List<Received> received = new ArrayList<>();
            for (int i = start; i < Math.min(to, start + batchSize); i++) {
                PriceEvent event = new PriceEvent(UUID.randomUUID(), sku.apply(i), BigDecimal.valueOf(i, 2), "EUR",
                        start0.plusMillis(i), "bench");
                received.add(Received.of(event, ContentHash.of(event)));
            }
            batches.add(received);
        }
        return batches;
    }
}
