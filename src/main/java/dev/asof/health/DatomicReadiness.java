package dev.asof.health;

import dev.asof.datomic.DatomicStore;
import dev.asof.datomic.HeapBudget;
import dev.asof.datomic.TxClock;
import dev.asof.ingest.IngestQueue;
import dev.asof.ingest.TransactWorker;
import dev.asof.journal.Journal;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready once the database and schema are in place, the journal (when on) is replayed and writable,
 * and the transact worker runs. Its data shows the start-up's progress (the replay's events done of
 * total, or the clock it waits for) while not ready, and the heap's state always: a nearly full heap
 * refuses writes but keeps the service ready, since reads go on.
 *
 * <p>A process waiting for the journal's writer role (another process holds it: an overlapping
 * deploy) is ready too: it serves reads, and a platform that waits for it to be ready before
 * stopping the old process must not wait for ever; {@code writes} says why they are refused. A
 * process fenced out of the role is not ready: it will never write again, and what it serves falls
 * behind. A clock behind the newest transaction instant shows in {@code clock}.
 */
@Readiness
@ApplicationScoped
public class DatomicReadiness implements HealthCheck {
    private final DatomicStore store;
    private final TransactWorker worker;
    private final IngestQueue queue;
    private final Journal journal;
    private final HeapBudget heap;
    private final TxClock clock;

    public DatomicReadiness(DatomicStore store, TransactWorker worker, IngestQueue queue, Journal journal,
            HeapBudget heap, TxClock clock) {
        this.store = store;
        this.clock = clock;
        this.heap = heap;
        this.worker = worker;
        this.queue = queue;
        this.journal = journal;
    }

    @Override
    public HealthCheckResponse call() {
        boolean journalOk = journal.healthy();
        boolean writer = store.takesWrites();
        boolean ready = store.servesReads() && journal.fenced() == null && (!writer || worker.isAlive())
                && queue.isOpen() && journalOk;
        var builder = HealthCheckResponse.named("datomic").status(ready)
                .withData("queueDepth", queue.depth())
                .withData("queueCapacity", queue.capacity())
                .withData("journal", !journal.enabled() ? "off" : journalOk ? "ok" : journal.trouble());
        builder.withData("heap", heap.describe())
                .withData("writes", !writer ? "refused: " + store.whyNoWrites()
                        : heap.refusingWrites() ? "refused: the heap is nearly full" : "taken");
        Duration behind = clock.behind();
        if (!behind.isZero()) {
            builder.withData("clock", "behind the newest transaction instant by " + behind.toMillis()
                    + " ms: writes wait for it up to ASOF_CLOCK_MAX_WAIT, and are refused (503) beyond");
        }
        if (store.servesReads()) {
            builder.withData("basisT", store.db().basisT());
        } else {
            builder.withData("starting", store.opening());
        }
        return builder.build();
    }
}
