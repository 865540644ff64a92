package dev.asof.datomic;

import static org.assertj.core.api.Assertions.assertThat;

import clojure.lang.Keyword;
import datomic.Connection;
import datomic.Database;
import datomic.Datom;
import datomic.Peer;
import dev.asof.support.GeneratedHistory;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * {@link MemRebuild} and {@link CustomerErasure} on generated histories, built by the writer's own
 * {@link TxData}: customers created, changed, cleared, deleted and created again; prices, periods,
 * ends and withdrawals. A copy with every value kept is the same database datom for datom (entity
 * ids, t, instants); a copy that erases one customer differs only in that customer's personal
 * facts, each now a placeholder, and keeps every t. Run again with {@code -Dasof.test.seed=…}.
 */
class MemRebuildTest {
    @Test
    void copiesAreTheSameDatabaseAndAnErasureChangesOnlyTheCustomersPersonalFacts() throws Exception {
        long seed = Long.getLong("asof.test.seed", System.nanoTime());
        Random random = new Random(seed);
        for (int run = 0; run < 12; run++) {
            String uri = "datomic:mem://rebuild-" + UUID.randomUUID();
            Connection conn = TestDatabases.fresh(uri);
            GeneratedHistory.write(conn, random, 60);
            Database original = conn.db();

            Connection same = MemRebuild.copy(conn, uri + "-same", (datom, attr) -> datom.v());
            assertThat(datoms(same.db())).as("seed %d run %d: a copy keeping every value", seed, run)
                    .isEqualTo(datoms(original));
            assertThat(log(same)).as("seed %d run %d: the copy's Log, in order", seed, run).isEqualTo(log(conn));

            String erased = GeneratedHistory.IDS.get(random.nextInt(GeneratedHistory.IDS.size()));
            CustomerErasure plan = CustomerErasure.of(original, erased).orElse(null);
            if (plan != null) {
                Connection copy = MemRebuild.copy(conn, uri + "-erased", plan::valueOf);
                Database after = copy.db();
                assertThat(after.basisT()).isEqualTo(original.basisT());
                List<Datom> before = historyDatoms(original);
                List<Datom> now = historyDatoms(after);
                assertThat(now).hasSameSizeAs(before);
                for (int i = 0; i < before.size(); i++) {
                    Datom was = before.get(i);
                    Datom is = now.get(i);
                    Keyword attr = (Keyword) original.ident(was.a());
                    boolean personal = plan.customers().contains(was.e()) && PersonalData.CUSTOMER.contains(attr)
                            || plan.events().contains(was.e()) && PersonalData.EVENT.contains(attr);
                    assertThat(List.of(is.e(), is.a(), is.tx(), is.added())).as("seed %d: %s", seed, was)
                            .isEqualTo(List.of(was.e(), was.a(), was.tx(), was.added()));
                    if (personal) {
                        assertThat(PersonalData.isErased(is.v()) || String.valueOf(is.v()).contains(PersonalData.erasedId(erased)))
                                .as("seed %d: %s became %s", seed, was, is.v()).isTrue();
                        assertThat(plan.ts()).contains(Peer.toT(was.tx()));
                    } else {
                        assertThat(is.v()).as("seed %d: %s", seed, was).isEqualTo(was.v());
                    }
                }
                // Found again on the copy, by digest, the customer is no more: nothing left to erase.
                assertThat(CustomerErasure.ofDigest(after, PersonalData.digest(erased))).isEmpty();
                assertThat(CustomerErasure.ofDigest(original, PersonalData.digest(erased))).isPresent();
                MemRebuild.discard(copy, uri + "-erased");
            }
            MemRebuild.discard(same, uri + "-same");
            conn.release();
            Peer.deleteDatabase(uri);
        }
    }

    /** Every datom of every database value, by entity, attribute, t and assertion (not by value, which an erasure changes). */
    private static List<Datom> historyDatoms(Database db) {
        List<Datom> all = new ArrayList<>();
        db.history().datoms(Database.EAVT).forEach(d -> all.add((Datom) d));
        all.sort(java.util.Comparator.comparing((Datom d) -> ((Number) d.e()).longValue()).thenComparing(d -> ((Number) d.a()).longValue())
                .thenComparing(d -> ((Number) d.tx()).longValue()).thenComparing(Datom::added).thenComparing(d -> String.valueOf(d.v())));
        return all;
    }

    /** Every transaction's datoms as the Log holds them, in its order. */
    static List<String> log(Connection conn) {
        List<String> all = new ArrayList<>();
        for (Object tx : conn.log().txRange(null, null)) {
            java.util.Map<?, ?> entry = (java.util.Map<?, ?>) tx;
            all.add("t " + entry.get(clojure.lang.Keyword.intern("t")));
            for (Object d : (Iterable<?>) entry.get(clojure.lang.Keyword.intern("data"))) {
                Datom datom = (Datom) d;
                all.add(datom.e() + " " + datom.a() + " " + datom.v() + " " + datom.added());
            }
        }
        return all;
    }

    static List<String> datoms(Database db) {
        List<String> all = new ArrayList<>();
        for (Datom d : historyDatoms(db)) {
            all.add(d.e() + " " + d.a() + " " + d.v() + " " + d.tx() + " " + d.added());
        }
        all.add("basis " + db.basisT());
        return all;
    }
}
