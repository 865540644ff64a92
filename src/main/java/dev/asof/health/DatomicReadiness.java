package dev.asof.health;

import dev.asof.datomic.DatomicStore;
import dev.asof.datomic.HeapBudget;
import dev.asof.ingest.IngestQueue;
import dev.asof.ingest.TransactWorker;
import dev.asof.journal.Journal;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready once the database and schema are in place, the journal (when on) is replayed and writable,
 * and the transact worker runs. Its data shows the start-up's progress (the replay's events done of
 * total) while not ready, and the heap's state always: a nearly full heap refuses writes but keeps
 * the service ready, since reads go on.
 */
@Readiness
@ApplicationScoped
public class DatomicReadiness implements HealthCheck {
    private final DatomicStore store;
    private final TransactWorker worker;
    private final IngestQueue queue;
    private final Journal journal;
    private final HeapBudget heap;

    public DatomicReadiness(DatomicStore store, TransactWorker worker, IngestQueue queue, Journal journal,
            HeapBudget heap) {
        this.store = store;
        this.heap = heap;
        this.worker = worker;
        this.queue = queue;
        this.journal = journal;
    }

    @Override
    public HealthCheckResponse call() {
        boolean journalOk = journal.healthy();
        boolean ready = store.isReady() && worker.isAlive() && queue.isOpen() && journalOk;
        var builder = HealthCheckResponse.named("datomic").status(ready)
                .withData("queueDepth", queue.depth())
                .withData("queueCapacity", queue.capacity())
                .withData("journal", !journal.enabled() ? "off" : journalOk ? "ok" : journal.trouble());
        builder.withData("heap", heap.describe())
                .withData("writes", heap.refusingWrites() ? "refused: the heap is nearly full" : "taken");
        if (store.isReady()) {
            builder.withData("basisT", store.db().basisT());
        } else {
            builder.withData("starting", store.opening());
        }
        return builder.build();
    }
}
