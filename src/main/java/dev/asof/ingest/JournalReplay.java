package dev.asof.ingest;

import com.fasterxml.jackson.databind.ObjectMapper;
import datomic.Connection;
import datomic.Database;
import dev.asof.datomic.DatomicStore;
import dev.asof.ingest.EventReader.Received;
import dev.asof.ingest.IngestQueue.Pending;
import dev.asof.journal.Journal;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
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

    void replay(@Observes @Priority(15) StartupEvent event) {
        if (!journal.enabled()) {
            return;
        }
        Connection conn = store.connection();
        long started = System.nanoTime();
        long[] skipped = {0};
        long batches = journal.replay((txInstant, json) -> {
            List<Received> events = codec.read(json);
            Submission submission = new Submission(events);
            List<Pending> batch = new ArrayList<>(events.size());
            for (int i = 0; i < events.size(); i++) {
                batch.add(new Pending(submission, i));
            }
            Database db = conn.db();
            try {
                Database after = (Database) conn.transact(TxData.build(db, batch, txInstant)).get().get(Connection.DB_AFTER);
                store.txIndex().record(after.basisT(), txInstant.toEpochMilli());
                replayedEvents += events.size();
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof IllegalArgumentException)) {
                    throw new IllegalStateException("Replay failed", e.getCause());
                }
                // Rejected live in the same state, and never acknowledged: skipped again.
                skipped[0]++;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Replay interrupted", e);
            }
        });
        double seconds = (System.nanoTime() - started) / 1e9;
        if (batches > 0) {
            LOG.infof("Replayed %d journaled batches (%d events, %d rejected as they were live) in %.1f s: %.0f events/s;"
                    + " basis t=%d", batches, replayedEvents, skipped[0], seconds, replayedEvents / seconds,
                    conn.db().basisT());
        }
    }

    public long replayedEvents() {
        return replayedEvents;
    }
}
