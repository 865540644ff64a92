package dev.asof.ingest;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import datomic.Connection;
import datomic.Database;
import dev.asof.config.AsofConfig;
import dev.asof.config.OwnedThreads;
import dev.asof.core.Refusal;
import dev.asof.datomic.DatomicStore;
import dev.asof.datomic.Facts;
import dev.asof.datomic.TxClock;
import dev.asof.ingest.IngestQueue.Pending;
import dev.asof.journal.Journal;
import dev.asof.journal.JournalCodec;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * The one writer. A single platform thread takes whole requests from the queue (up to the max
 * batch: a lone event is committed at once, a burst in large batches), cuts the batch where two
 * events touch one entity ({@link BatchPlan}), and hands it to {@link BatchCommit}, which owns the
 * commit protocol. Datomic's transact runs in the calling thread for mem databases, which is why
 * this thread, and never an event loop, calls it.
 */
@ApplicationScoped
public class TransactWorker {
    private static final Logger LOG = Logger.getLogger(TransactWorker.class);

    private final DatomicStore store;
    private final TxClock clock;
    private final IngestQueue queue;
    private final BatchCommit commit;
    private final Journal journal;
    private final int maxBatch;
    private final int retryAfter;

    private final List<Pending> carry = new ArrayList<>();
    /** Work that must run alone on the writer, between two batches (an erasure). */
    private final ConcurrentLinkedQueue<Runnable> exclusive = new ConcurrentLinkedQueue<>();
    private final Object pauseLock = new Object();
    private boolean paused;
    private volatile boolean held;
    private volatile boolean inTask;
    private volatile boolean stopping;
    private Thread thread;
    private volatile long committedTransactions;
    /** System.nanoTime() when the loop last finished a batch or a wait for one: liveness reads it. */
    private volatile long lastProgress = System.nanoTime();
    /** A test's way to kill the worker (package-private: {@link #failNextIteration}). */
    private volatile Error injected;

    public TransactWorker(DatomicStore store, TxClock clock, IngestQueue queue, AsofConfig config, MeterRegistry registry,
            Journal journal, ObjectMapper mapper) {
        this.store = store;
        this.clock = clock;
        this.queue = queue;
        this.journal = journal;
        this.maxBatch = config.queue().maxBatch();
        this.retryAfter = config.queue().retryAfterSeconds();
        DistributionSummary batchSizes = DistributionSummary.builder("asof.batch.size")
                .description("Events committed per Datomic transaction")
                .baseUnit("events")
                .publishPercentiles(0.5, 0.99)
                .publishPercentileHistogram()
                .maximumExpectedValue((double) maxBatch)
                .register(registry);
        Timer transactLatency = Timer.builder("asof.transact.latency")
                .description("Time to commit one batch to Datomic")
                .publishPercentiles(0.5, 0.99)
                .publishPercentileHistogram()
                .register(registry);
        this.commit = new BatchCommit(store, clock, journal, new JournalCodec(mapper), config, (events, nanos) -> {
            transactLatency.record(nanos, TimeUnit.NANOSECONDS);
            batchSizes.record(events);
            committedTransactions++;
        }, this::failCarried);
    }

    /**
     * Fails the requests held for a later transaction (none of their events was appended), called
     * on this worker's thread while a batch keeps it waiting on the journal past answer-within.
     */
    private void failCarried(Refusal why) {
        BatchCommit.failAll(carry, why);
        carry.clear();
    }

    void start(@Observes @Priority(20) DatomicStore.WritesTaken event) {
        Database db = store.db();
        Instant newest = Facts.txInstant(db, db.basisT());
        if (journal.enabled()) {
            // The floor the previous writer promised holds whatever this host's clock says.
            clock.start(newest, journal.promisedFloor(), journal);
            journal.keepPromising(clock);
        } else {
            // Datomic Pro (sql storage): several peers write, so the transactor stamps every instant.
            clock.start(newest, !store.isSharedStorage());
        }
        thread = OwnedThreads.start("asof-transact", this::run, true);
    }

    /** On SIGTERM: stop taking events, commit what is queued, then let the process exit. */
    void stop(@Observes @Priority(100) ShutdownEvent event) {
        drainAndStop(30, TimeUnit.SECONDS);
    }

    public void drainAndStop(long timeout, TimeUnit unit) {
        queue.close();
        resume();
        stopping = true;
        Thread t = thread;
        if (t == null) {
            return;
        }
        try {
            t.join(unit.toMillis(timeout));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (t.isAlive()) {
            LOG.warnf("The transact worker did not drain within %d %s; %d events still queued", timeout, unit,
                    queue.depth());
        } else {
            // A request that slipped in as the queue closed must not wait for a worker that is gone.
            queue.rejectRemaining(Refusal.unavailable("The service is shutting down; nothing was recorded",
                    retryAfter));
        }
    }

    /** Holds the worker before its next batch (maintenance, tests); events keep queueing. */
    public void pause() {
        synchronized (pauseLock) {
            paused = true;
        }
    }

    public void resume() {
        synchronized (pauseLock) {
            paused = false;
            pauseLock.notifyAll();
        }
    }

    /**
     * Runs {@code task} on the writer's thread between two batches, nothing else transacting
     * meanwhile (events keep queueing, within their deadline): for work that must see and change
     * the database alone, an erasure. Its outcome completes the future; a task refused because the
     * writer is not running fails it as unavailable.
     */
    public <T> CompletableFuture<T> exclusively(Callable<T> task) {
        CompletableFuture<T> outcome = new CompletableFuture<>();
        if (!isAlive() || stopping) {
            outcome.completeExceptionally(Refusal.unavailable("The writer is not running here: " + store.whyNoWrites(),
                    retryAfter));
            return outcome;
        }
        exclusive.add(() -> {
            try {
                outcome.complete(task.call());
            } catch (Exception e) {
                outcome.completeExceptionally(e);
            } catch (Error e) {
                outcome.completeExceptionally(e);
                throw e;
            }
        });
        return outcome;
    }

    public boolean isAlive() {
        return thread != null && thread.isAlive();
    }

    /** True once the worker has been started (it may have died since: see {@link #isAlive}). */
    public boolean started() {
        return thread != null;
    }

    /** Nanoseconds since the loop last finished a batch, or a wait for one. */
    public long nanosSinceProgress() {
        return System.nanoTime() - lastProgress;
    }

    /**
     * Tests only: the next loop iteration throws {@code error}, which kills the worker; its death is
     * reported to {@code handler} instead of ending the process.
     */
    void failNextIteration(Error error, Thread.UncaughtExceptionHandler handler) {
        thread.setUncaughtExceptionHandler(handler);
        injected = error;
    }

    /** Datomic transactions this worker has committed since start. */
    public long committedTransactions() {
        return committedTransactions;
    }

    /**
     * The loop. A batch's failure (any exception) fails its requests and the loop goes on; an
     * {@link Error} ends the process ({@link OwnedThreads}): after an OutOfMemoryError half-way
     * through a commit, nothing the worker holds can be trusted, and a restart replays the journal.
     */
    private void run() {
        List<Pending> input = new ArrayList<>(maxBatch);
        while (true) {
            lastProgress = System.nanoTime();
            Error error = injected;
            if (error != null) {
                throw error;
            }
            try {
                awaitResumed();
                lastProgress = System.nanoTime(); // a hold is no stall
                for (Runnable task = exclusive.poll(); task != null; task = exclusive.poll()) {
                    inTask = true;
                    try {
                        task.run();
                    } finally {
                        inTask = false;
                        lastProgress = System.nanoTime();
                    }
                }
                input.clear();
                input.addAll(carry);
                carry.clear();
                // New requests are taken whatever the carry holds: a chain of versions of one entity
                // (which the cut lets through one version a transaction) never holds other writers up.
                queue.drain(input, maxBatch, input.isEmpty() ? 50 : 0, TimeUnit.MILLISECONDS);
                if (input.isEmpty()) {
                    if (stopping) {
                        LOG.info("Transact worker drained the queue and stopped");
                        return;
                    }
                    continue;
                }
            } catch (InterruptedException e) {
                // Nothing interrupts the worker but the JVM's end; liveness reports a worker that is gone.
                Thread.currentThread().interrupt();
                return;
            }
            try {
                Connection conn = store.connection();
                process(conn, conn.db(), input);
            } catch (RuntimeException e) {
                // The worker never dies of one batch: its requests fail, the next batch goes on.
                LOG.error("Transact worker failed a batch", e);
                BatchCommit.failAll(input, new Refusal(Refusal.Reason.INTERNAL, "Internal error",
                        "The events could not be committed; the error is logged"));
                carry.clear();
            }
        }
    }

    private void awaitResumed() throws InterruptedException {
        synchronized (pauseLock) {
            while (paused) {
                held = true;
                pauseLock.wait();
            }
            held = false;
        }
    }

    /**
     * True while the worker waits for {@link #resume}, or runs an {@link #exclusively} task (an
     * erasure copying the database): it holds no batch, and what is queued now stays queued.
     */
    public boolean isHeld() {
        return held || inTask;
    }

    /**
     * Cuts {@code input} on the database value {@code db} and commits it. A value older than the
     * newest stands for another peer that wrote meanwhile (Datomic Pro): what it recorded makes
     * the commit fail, and the events are planned again on the newest value.
     */
    void process(Connection conn, Database db, List<Pending> input) {
        BatchPlan plan = BatchPlan.cut(db, input, maxBatch);
        carry.addAll(0, plan.leftover); // in input order: queue order is version order
        if (plan.batch.isEmpty() || commit.commit(conn, db, plan.batch) == BatchCommit.Outcome.RESOLVED) {
            return;
        }
        // Rejected as data. One request's bad data must not fail the others that shared its batch,
        // and an event id another peer recorded meanwhile is a duplicate: each request is planned
        // again alone, on the newest database value, and committed alone.
        Map<Submission, List<Pending>> bySubmission = new java.util.LinkedHashMap<>();
        plan.batch.forEach(p -> bySubmission.computeIfAbsent(p.submission(), s -> new ArrayList<>()).add(p));
        for (List<Pending> alone : bySubmission.values()) {
            Database fresh = conn.db();
            BatchPlan again = BatchPlan.cut(fresh, alone, maxBatch);
            carry.addAll(0, again.leftover);
            // The same events alone, on a database that changed nothing for them, would be rejected again.
            boolean unchanged = bySubmission.size() == 1 && again.batch.size() == alone.size();
            if (!again.batch.isEmpty()
                    && (unchanged || commit.commit(conn, fresh, again.batch) == BatchCommit.Outcome.REJECTED)) {
                BatchCommit.failAll(again.batch, new Refusal(Refusal.Reason.REJECTED, "Transaction rejected",
                        "Datomic rejected the events: " + BatchCommit.firstLine(commit.lastRejection().getMessage())
                                + "; nothing of this request's batch was recorded"));
            }
        }
    }
}
