package dev.asof.ingest;

import datomic.Connection;
import datomic.Database;
import dev.asof.config.AsofConfig;
import dev.asof.core.Refusal;
import dev.asof.datomic.DatomicStore;
import dev.asof.datomic.Facts;
import dev.asof.datomic.TxClock;
import dev.asof.events.Received;
import dev.asof.events.TxData;
import dev.asof.ingest.IngestQueue.Pending;
import dev.asof.journal.Journal;
import dev.asof.journal.JournalCodec;
import dev.asof.journal.JournalFencedException;
import dev.asof.journal.JournalRefusedException;
import dev.asof.journal.JournalUnavailableException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * The commit of one cut batch, as a protocol whose states read top to bottom in {@link #commit}:
 *
 * <ol>
 * <li><b>Stamped</b>: the writer's clock gives the batch its instant (Datomic Pro: the transactor
 *     does). A clock behind the floor is waited for, up to {@code asof.clock.max-wait}; further
 *     behind, every event <b>fails</b> as unavailable, to be retried after the seconds still needed.</li>
 * <li><b>Appending</b> (journal on): one INSERT of the transaction data under a fresh batch id, fenced by the writer's
 *     epoch. The journal classifies what happened: PostgreSQL answered an error, or the append was
 *     never sent — nothing is recorded, every event <b>fails</b> as unavailable at once. Another process
 *     holds the writer role — the same, and this process takes no write again. No answer in time,
 *     or the connection lost: the outcome is <b>uncertain</b> — the INSERT may still commit.</li>
 * <li><b>Resolving</b> an uncertain append: the writer takes no other batch until it knows. It
 *     repeats the append under the same batch id until PostgreSQL answers: the repeat waits for
 *     the first INSERT if that is still running, and adds nothing if it landed, so the batch ends
 *     journaled exactly once (or, fenced with the batch not there, certainly not journaled).
 *     Requests waiting longer than {@code asof.journal.answer-within} are told the outcome is
 *     unknown (a retry with the same ids then answers duplicate). Then on to Datomic, as if the
 *     append had answered at once.</li>
 * <li><b>Transacting</b>: one Datomic transaction. Committed: every event is acknowledged with its
 *     t. Refused for an instant from Datomic's future (the clock stepped back after the stamp): the
 *     same transaction again as the clock gets there ({@link DatomicStore#transactWhenDue}). Rejected as data
 *     ({@code :db.error/…}): the journal marks the batch rejected (replay passes it by) before its
 *     requests hear of it — or, past {@code asof.journal.answer-within}, they are answered failed
 *     first and the mark follows — and the worker decides what to retry. Any other failure of a
 *     journaled batch stops the process (fail-stop): the restart's replay applies the batch, so
 *     Datomic and the journal never disagree and no t ever moves.</li>
 * </ol>
 *
 * Whatever the path, the writer's clock hears when the batch's outcome is known, and not before:
 * until then no answer about an instant at or after its stamp is settled.
 */
final class BatchCommit {
    private static final Logger LOG = Logger.getLogger(BatchCommit.class);

    /** What became of a batch, for the worker's loop. */
    enum Outcome {
        /** Every event of the batch has its outcome (committed, or failed/unknown with a reason). */
        RESOLVED,
        /** Datomic rejected the batch as data; nothing of it is recorded and its events are still pending. */
        REJECTED
    }

    private final DatomicStore store;
    private final TxClock clock;
    private final Journal journal;
    private final JournalCodec codec;
    private final Duration answerWithin;
    private final Duration clockMaxWait;
    private final int retryAfter;
    private final Stats stats;
    private Throwable lastRejection;
    private final Consumer<Refusal> failWaiting;

    /** Measurements the worker publishes. */
    interface Stats {
        void committed(int events, long nanos);
    }

    /**
     * {@code failWaiting} fails the requests the writer took and holds for a later transaction (its
     * carry), none of whose events were appended: it is called when this batch keeps the writer past
     * {@code asof.journal.answer-within}, so that no request waits for ever behind it.
     */
    BatchCommit(DatomicStore store, TxClock clock, Journal journal, JournalCodec codec, AsofConfig config, Stats stats,
            Consumer<Refusal> failWaiting) {
        this.failWaiting = failWaiting;
        this.store = store;
        this.clock = clock;
        this.journal = journal;
        this.codec = codec;
        this.answerWithin = config.journal().answerWithin();
        this.clockMaxWait = config.clock().maxWait();
        this.retryAfter = config.queue().retryAfterSeconds();
        this.stats = stats;
    }

    /** Why Datomic rejected the last batch that came back {@link Outcome#REJECTED}. */
    Throwable lastRejection() {
        return lastRejection;
    }

    Outcome commit(Connection conn, Database db, List<Pending> batch) {
        List<Received> events = new ArrayList<>(batch.size());
        batch.forEach(p -> events.add(p.received()));
        Instant stamp;
        try {
            stamp = clock.stamps() ? clock.stamp() : null;
        } catch (TxClock.ClockBehindException behind) {
            failAll(batch, behind.refusal("nothing was recorded"));
            return Outcome.RESOLVED;
        } catch (InterruptedException stopping) {
            Thread.currentThread().interrupt();
            failAll(batch, Refusal.unavailable("The service is shutting down; nothing was recorded", retryAfter));
            return Outcome.RESOLVED;
        }
        try {
            List<Object> txData = TxData.build(db, events, stamp, !store.isSharedStorage());
            UUID batchId = UUID.randomUUID();
            if (journal.enabled() && !journaled(batchId, stamp, txData, batch)) {
                return Outcome.RESOLVED;
            }
            return transact(conn, txData, batchId, batch);
        } finally {
            if (stamp != null) {
                clock.resolved();
            }
        }
    }

    /** Appending, and resolving when the append's outcome is uncertain. True when the batch is journaled. */
    private boolean journaled(UUID batchId, Instant stamp, List<Object> txData, List<Pending> batch) {
        String encoded = codec.write(txData);
        try {
            journal.append(batchId, stamp, batch.size(), encoded);
            return true;
        } catch (JournalFencedException fenced) {
            failAll(batch, fencedOut());
            return false;
        } catch (JournalRefusedException refused) {
            LOG.warn(refused.getMessage());
            failAll(batch, Refusal.unavailable(
                    "The journal cannot take events now; nothing was recorded, retry later", retryAfter));
            return false;
        } catch (JournalUnavailableException uncertain) {
            LOG.warnf("Journal append of batch %s has an unknown outcome (%s); no other batch is taken until it is resolved",
                    batchId, uncertain.getMessage());
        }
        // Uncertain: the writer takes no other batch until it knows. The same append, repeated under
        // the same batch id, waits for the first one if it is still running and then finds it.
        long since = System.nanoTime();
        boolean told = false;
        for (long attempt = 1; ; attempt++) {
            Journal.pauseBeforeRepeat(attempt);
            if (!told && System.nanoTime() - since > answerWithin.toNanos()) {
                told = true;
                tellUnknown(batch); // first: the events of this batch are unknown, not failed
                failWaiting.accept(waitingBehind());
            }
            try {
                journal.append(batchId, stamp, batch.size(), encoded);
                LOG.infof("Journal batch %s is journaled (confirmed on attempt %d)", batchId, attempt + 1);
                return true;
            } catch (JournalFencedException fenced) {
                // The batch is not there, and with the role gone it never will be.
                failAll(batch, fencedOut());
                return false;
            } catch (JournalUnavailableException stillUnknown) {
                // PostgreSQL still cannot answer; refused or not, the first attempt may have landed
            }
        }
    }

    private Outcome transact(Connection conn, List<Object> txData, UUID batchId, List<Pending> batch) {
        long started = System.nanoTime();
        Map<?, ?> result;
        try {
            result = DatomicStore.transactWhenDue(conn, txData, clockMaxWait);
        } catch (ExecutionException e) {
            return failed(e.getCause(), batchId, batch);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return failed(e, batchId, batch);
        } catch (RuntimeException e) {
            return failed(e, batchId, batch);
        }
        Database after = (Database) result.get(Connection.DB_AFTER);
        long t = after.basisT();
        Instant instant = Facts.txInstant(after, t);
        store.txIndex().record(t, instant.toEpochMilli());
        stats.committed(batch.size(), System.nanoTime() - started);
        java.util.Set<Object> unchanged = TxData.unchanged(txData);
        for (Pending p : batch) {
            p.submission().committed(p.index(), t, instant, TxData.isIn(unchanged, p.received().event()));
        }
        return Outcome.RESOLVED;
    }

    private Outcome failed(Throwable cause, UUID batchId, List<Pending> batch) {
        boolean rejected = DatomicStore.rejectedAsData(cause);
        if (journal.enabled() && !rejected) {
            LOG.fatal("Datomic failed a batch that is already journaled; stopping so that the restart's replay applies it", cause);
            Runtime.getRuntime().halt(70);
        }
        if (!rejected) {
            LOG.warn("Datomic transaction failed", cause);
            failAll(batch, Refusal.unavailable("The database could not commit the events; nothing was recorded,"
                    + " retry later", retryAfter));
            return Outcome.RESOLVED;
        }
        if (journal.enabled()) {
            markRejected(batchId, firstLine(cause.getMessage()), batch);
        }
        lastRejection = cause;
        return Outcome.REJECTED;
    }

    /**
     * The writer waits until the journal says the batch was rejected (a replay would otherwise meet it
     * again, and pass it by only by being rejected again). Past {@code asof.journal.answer-within} its
     * requests, and those waiting behind it, are answered: nothing of them was recorded. Fenced
     * meanwhile, it cannot say so: the next writer's replay is rejected the same way, and passes it by.
     */
    private void markRejected(UUID batchId, String reason, List<Pending> batch) {
        long since = System.nanoTime();
        boolean told = false;
        for (long attempt = 0; ; attempt++) {
            if (!told && System.nanoTime() - since > answerWithin.toNanos()) {
                told = true;
                failAll(batch, Refusal.unavailable("Datomic rejected a batch holding these events, and the"
                        + " journal cannot record that yet; nothing was recorded, retry later", retryAfter));
                failWaiting.accept(waitingBehind());
            }
            try {
                journal.reject(batchId, reason);
                return;
            } catch (JournalFencedException e) {
                LOG.errorf("Batch %s, rejected by Datomic, cannot be marked so: %s", batchId, e.getMessage());
                return;
            } catch (JournalUnavailableException e) {
                if (attempt == 0) {
                    LOG.warnf("Cannot mark rejected batch %s in the journal yet (%s); retrying", batchId, e.getMessage());
                }
                Journal.pauseBeforeRepeat(attempt);
            }
        }
    }

    private Refusal waitingBehind() {
        return Refusal.unavailable("Not attempted: the writer has been resolving an earlier batch's journal"
                + " outcome for more than " + answerWithin.toSeconds() + " s; nothing of these events was recorded,"
                + " retry later", retryAfter);
    }

    private Refusal fencedOut() {
        return Refusal.unavailable("Another process took the journal's writer role; nothing was recorded."
                + " This process takes no more writes: send them to the one that holds the role", retryAfter);
    }

    private void tellUnknown(List<Pending> batch) {
        Refusal unknown = Refusal.unavailable("The journal did not confirm the events within "
                + answerWithin.toSeconds() + " s: their outcome is unknown, they may yet be recorded. Send the request"
                + " again with the same event ids: recorded events answer duplicate with their t", retryAfter);
        Map<Submission, List<Integer>> bySubmission = new LinkedHashMap<>();
        batch.forEach(p -> bySubmission.computeIfAbsent(p.submission(), s -> new ArrayList<>()).add(p.index()));
        bySubmission.forEach((submission, indexes) -> submission.unknown(indexes, unknown));
    }

    /** Fails the requests of {@code batch}: nothing of theirs that was still pending is recorded. */
    static void failAll(List<Pending> batch, Refusal refusal) {
        batch.stream().map(Pending::submission).distinct().forEach(s -> s.failAll(refusal));
    }

    static String firstLine(String message) {
        if (message == null) {
            return "no reason given";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }
}
