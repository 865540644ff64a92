package dev.asof.journal;

import static org.assertj.core.api.Assertions.assertThat;

import datomic.Connection;
import datomic.Peer;
import dev.asof.datomic.CustomerErasure;
import dev.asof.datomic.MemRebuild;
import dev.asof.datomic.TestDatabases;
import dev.asof.support.GeneratedHistory;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The two halves of an erasure agree: the live database copied without the customer's values
 * ({@link MemRebuild}) and the journal's rows rewritten for it ({@link JournalErasure}), replayed
 * into a fresh database as a restart does, are the same database — every datom with its value, and
 * the Log in order — on generated histories. Run again with {@code -Dasof.test.seed=…}.
 */
class JournalErasurePropertyTest {
    @Test
    void aReplayOfTheRewrittenJournalIsTheErasedCopy() throws Exception {
        long seed = Long.getLong("asof.test.seed", System.nanoTime());
        Random random = new Random(seed);
        for (int run = 0; run < 10; run++) {
            String uri = "datomic:mem://journal-erasure-" + UUID.randomUUID();
            Connection live = TestDatabases.fresh(uri);
            List<List<Object>> journal = GeneratedHistory.write(live, random, 60);
            String erased = GeneratedHistory.IDS.get(random.nextInt(GeneratedHistory.IDS.size()));
            CustomerErasure plan = CustomerErasure.of(live.db(), erased).orElse(null);
            if (plan == null) {
                continue;
            }
            Connection copy = MemRebuild.copy(live, uri + "-copy", plan::valueOf);
            Connection replayed = TestDatabases.fresh(uri + "-replayed");
            for (List<Object> row : journal) {
                // As the journal keeps it (written and read back), then rewritten.
                List<Object> rewritten = JournalErasure.rewrite(TxDataCodec.read(TxDataCodec.write(row)), plan);
                replayed.transact(rewritten).get();
            }
            assertThat(TestDatabases.datoms(replayed.db())).as("seed %d run %d: erasing %s", seed, run, erased)
                    .isEqualTo(TestDatabases.datoms(copy.db()));
            assertThat(TestDatabases.log(replayed)).as("seed %d run %d: the Log", seed, run)
                    .isEqualTo(TestDatabases.log(copy));
            for (String db : List.of(uri, uri + "-copy", uri + "-replayed")) {
                Peer.deleteDatabase(db);
            }
        }
    }
}
