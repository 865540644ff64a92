package dev.asof.ingest;

import datomic.Connection;
import datomic.Database;
import datomic.Peer;
import dev.asof.config.AsofConfig;
import dev.asof.datomic.Attr;
import dev.asof.datomic.DatomicStore;
import dev.asof.http.ProblemException;
import dev.asof.journal.Journal;
import dev.asof.journal.JournalUnavailableException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.asof.ingest.IngestQueue.Pending;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * The one writer. A single platform thread takes whatever is queued (up to the max batch: a lone
 * event is committed at once, a burst in large batches), cuts the batch where two events touch one
 * entity, and commits it as one Datomic transaction. Datomic's transact runs in the calling thread
 * for mem databases, which is why this thread, and never an event loop, calls it.
 */
@ApplicationScoped
public class TransactWorker {
    private static final Logger LOG = Logger.getLogger(TransactWorker.class);

    private final DatomicStore store;
    private final Journal journal;
    private final JournalCodec codec;
    private final IngestQueue queue;
    private final int maxBatch;
    private final int retryAfter;
    private final DistributionSummary batchSizes;
    private final Timer transactLatency;

    private final List<Pending> carry = new ArrayList<>();
    private final Object pauseLock = new Object();
    private boolean paused;
    private volatile boolean stopping;
    private Thread thread;
    private Instant lastInstant = Instant.EPOCH;
    private volatile long committedTransactions;

    public TransactWorker(DatomicStore store, IngestQueue queue, AsofConfig config, MeterRegistry registry,
            Journal journal, ObjectMapper mapper) {
        this.store = store;
        this.journal = journal;
        this.codec = new JournalCodec(mapper);
        this.queue = queue;
        this.maxBatch = config.queue().maxBatch();
        this.retryAfter = config.queue().retryAfterSeconds();
        this.batchSizes = DistributionSummary.builder("asof.batch.size")
                .description("Events committed per Datomic transaction")
                .baseUnit("events")
                .publishPercentiles(0.5, 0.99)
                .publishPercentileHistogram()
                .maximumExpectedValue((double) maxBatch)
                .register(registry);
        this.transactLatency = Timer.builder("asof.transact.latency")
                .description("Time to commit one batch to Datomic")
                .publishPercentiles(0.5, 0.99)
                .publishPercentileHistogram()
                .register(registry);
    }

    void start(@Observes @Priority(20) StartupEvent event) {
        Database db = store.db();
        lastInstant = ((Date) db.entity(Peer.toTx(db.basisT())).get(Attr.TX_INSTANT)).toInstant();
        thread = new Thread(this::run, "asof-transact");
        thread.setDaemon(true);
        thread.start();
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
            queue.rejectRemaining(ProblemException.unavailable("The service is shutting down", retryAfter));
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

    public boolean isAlive() {
        return thread != null && thread.isAlive();
    }

    /** Datomic transactions this worker has committed since start. */
    public long committedTransactions() {
        return committedTransactions;
    }

    private void run() {
        List<Pending> input = new ArrayList<>(maxBatch);
        while (true) {
            try {
                awaitResumed();
                input.clear();
                input.addAll(carry);
                carry.clear();
                if (input.size() < maxBatch) {
                    queue.drain(input, maxBatch, input.isEmpty() ? 50 : 0, TimeUnit.MILLISECONDS);
                }
                if (input.isEmpty()) {
                    if (stopping) {
                        LOG.info("Transact worker drained the queue and stopped");
                        return;
                    }
                    continue;
                }
                if (input.size() > maxBatch) {
                    List<Pending> excess = input.subList(maxBatch, input.size());
                    carry.addAll(excess);
                    excess.clear();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            int carried = carry.size();
            try {
                process(input);
            } catch (Throwable e) {
                // The worker never dies of one batch: its requests fail, the next batch goes on.
                LOG.error("Transact worker failed a batch", e);
                ProblemException problem = new ProblemException(500, "Internal error",
                        "The events could not be committed; the error is logged");
                input.forEach(p -> p.submission().fail(problem));
            } finally {
                queue.settled(input.size() - (carry.size() - carried));
            }
        }
    }

    private void awaitResumed() throws InterruptedException {
        synchronized (pauseLock) {
            while (paused) {
                pauseLock.wait();
            }
        }
    }

    private void process(List<Pending> input) {
        Connection conn = store.connection();
        Database db = conn.db();
        BatchPlan plan = BatchPlan.cut(db, input);
        carry.addAll(0, plan.leftover); // before any excess: queue order is version order
        if (plan.batch.isEmpty()) {
            return;
        }
        try {
            commit(conn, db, plan.batch);
        } catch (JournalFailure failure) {
            ProblemException problem = journalDown();
            plan.batch.forEach(p -> p.submission().fail(problem));
        } catch (TransactFailure failure) {
            Map<Submission, List<Pending>> bySubmission = new LinkedHashMap<>();
            plan.batch.forEach(p -> bySubmission.computeIfAbsent(p.submission(), s -> new ArrayList<>()).add(p));
            if (bySubmission.size() == 1) {
                fail(bySubmission.keySet().iterator().next(), failure);
                return;
            }
            // One request's bad data must not fail the others that shared its batch: retry each alone.
            for (Map.Entry<Submission, List<Pending>> one : bySubmission.entrySet()) {
                try {
                    commit(conn, conn.db(), one.getValue());
                } catch (TransactFailure alone) {
                    fail(one.getKey(), alone);
                } catch (JournalFailure journalFailure) {
                    one.getKey().fail(journalDown());
                }
            }
        }
    }

    /**
     * Journal first, then Datomic. Between the two, a failure must not leave them disagreeing after
     * a restart. Chosen: no db.with() pre-check (it would double the worker's Datomic work).
     * Instead: a batch Datomic rejects as data (IllegalArgumentException: :db.error/…) is rejected
     * the same way when the journal is replayed in the same order, so replay skips it and both
     * sides agree that it never happened; any other failure after the journal write stops the
     * process (fail-stop), and the restart's replay applies the batch, so the journal wins. The
     * client of such a batch got a 5xx, and its retry with the same event ids is a duplicate.
     */
    private void commit(Connection conn, Database db, List<Pending> batch) throws TransactFailure, JournalFailure {
        // Datomic keeps instants to the millisecond; the answer must name the instant it stored.
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        Instant txInstant = now.isAfter(lastInstant) ? now : lastInstant;
        List<Object> txData = TxData.build(db, batch, txInstant);
        if (journal.enabled()) {
            try {
                journal.append(txInstant, batch.size(), codec.write(batch));
            } catch (JournalUnavailableException e) {
                LOG.warn(e.getMessage());
                throw new JournalFailure();
            }
        }
        long started = System.nanoTime();
        Map<?, ?> result;
        try {
            result = conn.transact(txData).get();
        } catch (ExecutionException e) {
            throw afterJournal(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw afterJournal(e);
        } catch (RuntimeException e) {
            throw afterJournal(e);
        }
        transactLatency.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
        batchSizes.record(batch.size());
        committedTransactions++;
        lastInstant = txInstant;
        long t = ((Database) result.get(Connection.DB_AFTER)).basisT();
        store.txIndex().record(t, txInstant.toEpochMilli());
        for (Pending p : batch) {
            p.submission().committed(p.index(), t, txInstant);
        }
    }

    private ProblemException journalDown() {
        return ProblemException.unavailable("The journal cannot take events now; nothing was recorded, retry later",
                retryAfter);
    }

    private TransactFailure afterJournal(Throwable cause) {
        if (journal.enabled() && !(cause instanceof IllegalArgumentException)) {
            LOG.fatal("Datomic failed a batch that is already journaled; stopping so that the restart's replay applies it", cause);
            Runtime.getRuntime().halt(70);
        }
        return new TransactFailure(cause);
    }

    private void fail(Submission submission, TransactFailure failure) {
        Throwable cause = failure.getCause();
        ProblemException problem;
        if (cause instanceof IllegalArgumentException) {
            // Datomic rejected the data (its :db.error/... message names the reason).
            problem = new ProblemException(422, "Transaction rejected",
                    "Datomic rejected the events: " + firstLine(cause.getMessage()), null, Map.of());
        } else {
            LOG.warn("Datomic transaction failed", cause);
            problem = ProblemException.unavailable("The database could not commit the events; retry later",
                    retryAfter);
        }
        submission.fail(problem);
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "no reason given";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }

    /** The journal did not take the batch: nothing was written anywhere. */
    private static final class JournalFailure extends Exception {
        JournalFailure() {
            super(null, null, false, false);
        }
    }

    private static final class TransactFailure extends Exception {
        TransactFailure(Throwable cause) {
            super(cause);
        }
    }
}
