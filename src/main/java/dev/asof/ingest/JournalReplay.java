package dev.asof.ingest;

import com.fasterxml.jackson.databind.ObjectMapper;
import datomic.Connection;
import datomic.Database;
import dev.asof.datomic.DatomicStore;
import dev.asof.ingest.IngestQueue.Pending;
import dev.asof.journal.Journal;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.List;
import java.time.Instant;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicReference;
import org.jboss.logging.Logger;

/**
 * At start-up, before the transact worker runs and before the service is ready: replays the
 * journal into the fresh database, batch by batch in the original order with the original
 * transaction instants, which reproduces the same t values and the same answers as before.
 */
@ApplicationScoped
public class JournalReplay {
    private static final Logger LOG = Logger.getLogger(JournalReplay.class);

    private final Journal journal;
    private final DatomicStore store;
    private final JournalCodec codec;
    private volatile long replayedEvents;

    public JournalReplay(Journal journal, DatomicStore store, ObjectMapper mapper) {
        this.journal = journal;
        this.store = store;
        this.codec = new JournalCodec(mapper);
    }

    /** One journaled batch, decoded and ready to transact. */
    private record Decoded(Instant txInstant, List<Pending> batch) {
    }

    private static final Decoded END = new Decoded(null, null);

    void replay(@Observes @Priority(15) StartupEvent event) throws InterruptedException {
        if (!journal.enabled()) {
            return;
        }
        Connection conn = store.connection();
        long started = System.nanoTime();
        // Reading PostgreSQL and decoding JSON run on a reader thread, a few batches ahead, while
        // this thread transacts: Datomic's transact is the replay's bottleneck, so it never waits.
        BlockingQueue<Decoded> ready = new ArrayBlockingQueue<>(8);
        AtomicReference<RuntimeException> readFailure = new AtomicReference<>();
        Thread reader = new Thread(() -> {
            try {
                journal.replay((txInstant, json) -> put(ready, new Decoded(txInstant, new Submission(codec.read(json)).pending())));
            } catch (RuntimeException e) {
                readFailure.set(e);
            } finally {
                put(ready, END);
            }
        }, "asof-journal-reader");
        reader.start();
        long batches = 0;
        long skipped = 0;
        for (Decoded next = ready.take(); next != END; next = ready.take()) {
            batches++;
            try {
                Database after = (Database) conn.transact(TxData.build(conn.db(), next.batch(), next.txInstant()))
                        .get().get(Connection.DB_AFTER);
                store.txIndex().record(after.basisT(), next.txInstant().toEpochMilli());
                replayedEvents += next.batch().size();
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof IllegalArgumentException)) {
                    throw new IllegalStateException("Replay failed", e.getCause());
                }
                // Rejected live in the same state, and never acknowledged: skipped again.
                skipped++;
            }
        }
        if (readFailure.get() != null) {
            throw new IllegalStateException("Reading the journal failed", readFailure.get());
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        if (batches > 0) {
            LOG.infof("Replayed %d journaled batches (%d events, %d rejected as they were live) in %.1f s: %.0f events/s;"
                    + " basis t=%d", batches, replayedEvents, skipped, seconds, replayedEvents / seconds,
                    conn.db().basisT());
        }
    }

    private static void put(BlockingQueue<Decoded> queue, Decoded decoded) {
        try {
            queue.put(decoded);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Replay interrupted", e);
        }
    }

    public long replayedEvents() {
        return replayedEvents;
    }
}
