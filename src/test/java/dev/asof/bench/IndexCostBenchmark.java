package dev.asof.bench;

import datomic.Util;
import dev.asof.datomic.Attr;
import dev.asof.ingest.RawTransact;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.UnaryOperator;

/**
 * What the AVET indexes of {@code :price/effectiveAt} and {@code :price/effectiveUntil} (issue 23:
 * the valid-time diff seeks them) cost the write path: raw in-process transacts of new versions
 * (random SKUs, 1,000 events a transaction, as the ingest benchmark's anchor) on asof's schema
 * and on the same schema without those two indexes, four rounds each in ABBA order. Run with
 * {@code ./mvnw -Pbench verify -Dbench.main=dev.asof.bench.IndexCostBenchmark}.
 */
public final class IndexCostBenchmark {
    private static final int WARM = 100_000;
    private static final int EVENTS = 200_000;

    private IndexCostBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        UnaryOperator<List<Object>> withoutIndexes = schema -> {
            List<Object> changed = new ArrayList<>();
            for (Object attr : schema) {
                Map<Object, Object> copy = new HashMap<>((Map<?, ?>) attr);
                Object ident = copy.get(Attr.DB_IDENT);
                if (Attr.PRICE_EFFECTIVE_AT.equals(ident) || Attr.PRICE_EFFECTIVE_UNTIL.equals(ident)) {
                    copy.remove(Util.read(":db/index"));
                }
                changed.add(copy);
            }
            return changed;
        };
        Random random = new Random(23);
        int[] skus = random.ints(WARM + EVENTS, 0, 1 << 24).toArray();
        System.out.printf("%-34s %12s %18s%n", "schema (1,000 events a tx)", "events/s", "CPU ms/1000 events");
        // Each round in the other order than the one before (ABBA), after a collection: the rate drifts
        // down as the JVM's heap fills run after run, and that drift must not fall on one side.
        for (int round = 0; round < 4; round++) {
            for (boolean indexed : round % 2 == 0 ? new boolean[] {true, false} : new boolean[] {false, true}) {
                System.gc();
                Thread.sleep(1000);
                RawTransact.Rate rate = RawTransact.measure(1000, WARM, EVENTS, i -> "B-" + skus[i],
                        indexed ? UnaryOperator.identity() : withoutIndexes);
                System.out.printf("%-34s %,12.0f %18.1f%n", indexed ? "asof's (valid times indexed)" : "without the two indexes",
                        rate.eventsPerSecond(), rate.cpuMillisPerThousand());
            }
        }
    }
}
