package dev.asof.log;

import datomic.Connection;
import dev.asof.config.OwnedThreads;
import dev.asof.datomic.DatomicStore;
import dev.asof.datomic.Facts;
import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.quarkus.runtime.ShutdownEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.operators.multi.processors.BroadcastProcessor;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Listens to the peer's transaction report queue (every transaction this peer sees, its own or, in
 * sql mode, other peers') and tells change-feed subscribers that the database has moved on. They
 * then read what is new from the Log, in order, from where each of them stands.
 */
@ApplicationScoped
public class ChangeSignal {
    private static final Logger LOG = Logger.getLogger(ChangeSignal.class);

    private final DatomicStore store;
    private final BroadcastProcessor<Long> basis = BroadcastProcessor.create();
    private volatile boolean running;
    private volatile boolean closing;
    private Thread thread;

    public ChangeSignal(DatomicStore store) {
        this.store = store;
    }

    void start(@Observes @Priority(30) DatomicStore.Opened event) {
        running = true;
        thread = OwnedThreads.start("asof-change-signal", () -> {
            Connection conn = null;
            BlockingQueue<Map> reports = null;
            while (running) {
                try {
                    Connection now = store.current();
                    if (now != conn && now != null) {
                        // An erasure replaced the database with a copy (DatomicStore.replace): its reports from now on.
                        boolean replaced = conn != null;
                        conn = now;
                        reports = conn.txReportQueue();
                        if (replaced) {
                            // The erasure's own transaction landed on the copy before it was served.
                            datomic.Database db = conn.db();
                            store.txIndex().record(db.basisT(), Facts.txInstant(db, db.basisT()).toEpochMilli());
                            basis.onNext(db.basisT());
                        }
                    }
                    if (reports == null) {
                        Thread.sleep(100);
                        continue;
                    }
                    Map<?, ?> report = reports.poll(500, TimeUnit.MILLISECONDS);
                    if (report != null) {
                        datomic.Database after = (datomic.Database) report.get(Connection.DB_AFTER);
                        long t = after.basisT();
                        // Other peers' transactions (sql mode) reach the time index only this way.
                        store.txIndex().record(t, Facts.txInstant(after, t).toEpochMilli());
                        basis.onNext(t);
                    }
                } catch (InterruptedException e) {
                    return;
                } catch (Exception e) {
                    // One report's failure is survived; an Error ends the process (OwnedThreads).
                    LOG.warn("Change signal failed on a transaction report", e);
                }
            }
        }, true);
    }

    /**
     * SIGTERM's first phase, before the HTTP server waits for open requests to finish: change
     * streams never finish by themselves, so they end now ({@link #closing}) and the wait is short.
     */
    void closing(@Observes ShutdownDelayInitiatedEvent event) {
        closing = true;
    }

    /** True once the process is shutting down: change streams end (and tell their clients to reconnect). */
    public boolean closing() {
        return closing;
    }

    void stop(@Observes @Priority(50) ShutdownEvent event) {
        closing = true;
        running = false;
        basis.onComplete();
    }

    /** The basis t after each transaction; a subscriber that falls behind misses signals, not changes. */
    public Multi<Long> signals() {
        return basis.onOverflow().drop();
    }
}
