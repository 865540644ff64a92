package dev.asof.erasure;

import datomic.Connection;
import datomic.Database;
import datomic.Datom;
import datomic.Entity;
import datomic.Peer;
import datomic.Util;
import dev.asof.config.AsofConfig;
import dev.asof.core.FieldError;
import dev.asof.core.JsonBuffers;
import dev.asof.core.Refusal;
import dev.asof.datomic.Attr;
import dev.asof.datomic.CustomerErasure;
import dev.asof.datomic.DatomicStore;
import dev.asof.datomic.Facts;
import dev.asof.datomic.HeapBudget;
import dev.asof.datomic.PersonalData;
import dev.asof.datomic.TxClock;
import dev.asof.ingest.TransactWorker;
import dev.asof.journal.Journal;
import dev.asof.journal.JournalCodec;
import dev.asof.journal.JournalFencedException;
import dev.asof.journal.JournalRefusedException;
import dev.asof.journal.JournalUnavailableException;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Erases a customer's personal data from every database value and from the journal (issue 24,
 * GDPR article 17), and answers what was erased, when and by whom.
 *
 * <p>An erasure runs on the one writer between two batches ({@link TransactWorker#exclusively}), so
 * nothing is transacted while it reads and replaces the database. With {@code datomic:mem}
 * (embedded, with or without the journal) the database is copied from its own Log with the
 * customer's personal facts as placeholders ({@link DatomicStore#copyErasing}; same t, instants
 * and entity ids), the erasure's record is transacted on the copy, the journal rewrites its rows
 * and appends the erasure in one PostgreSQL transaction ({@link Journal#erase}), and only then the
 * copy is served and the old database deleted. A process killed before the journal's commit erased
 * nothing; after it, the replay erases. With Datomic Pro storage the record carries
 * {@code :db/excise} for each entity, and the answer waits for the transactor's excision
 * ({@code syncExcise}) up to {@code ASOF_ERASURE_SYNC_WAIT}, else says it is pending.
 *
 * <p>The record ({@code :erasure/*}) names the customer by the digest of its id only
 * ({@link PersonalData#digest}): reads of the id answer 410 Gone from then on, and events for it
 * are refused as gone (an erased id is not taken again).
 */
@ApplicationScoped
public class Erasures {
    private static final Logger LOG = Logger.getLogger(Erasures.class);
    /** The longest reason an erasure records, in characters. */
    public static final int MAX_REASON = 500;

    private final DatomicStore store;
    private final HeapBudget heap;
    private final TxClock clock;
    private final Journal journal;
    private final TransactWorker worker;
    private final JournalCodec codec;
    private final Duration syncWait;
    private final Duration journalPatience;
    private final Duration clockMaxWait;
    private final int retryAfter;

    public Erasures(DatomicStore store, HeapBudget heap, TxClock clock, Journal journal, TransactWorker worker,
            ObjectMapper mapper, AsofConfig config) {
        this.store = store;
        this.heap = heap;
        this.clock = clock;
        this.journal = journal;
        this.worker = worker;
        this.codec = new JournalCodec(mapper);
        this.syncWait = config.erasureSyncWait();
        this.journalPatience = config.journal().answerWithin();
        this.clockMaxWait = config.clock().maxWait();
        this.retryAfter = config.queue().retryAfterSeconds();
    }

    /** What an erasure request came to: the record, and whether this request made it (false: erased before). */
    public record Outcome(ErasureRecord record, boolean created) {
    }

    /**
     * Erases {@code customerId}, recording {@code by} (the erase token's name) and {@code reason}.
     * Completes with the record — the existing one when the customer was erased before — or fails
     * with a {@link Refusal}: not found (no database value ever held the id), invalid (the reason
     * names an erased value), unavailable (the writer or the journal cannot take it now; nothing
     * was erased).
     */
    public CompletableFuture<Outcome> erase(String customerId, String by, String reason) {
        return worker.exclusively(() -> {
            Outcome outcome = eraseAlone(customerId, by, reason);
            if (outcome.created()) {
                // Here, not in eraseAlone: its frame still holds the old database, which this collects.
                heap.afterCopy();
            }
            return outcome;
        });
    }

    /** The erasure record of {@code customerId} in {@code db}, if it was erased. */
    public Optional<ErasureRecord> find(Database db, String customerId) {
        return findDigest(db, PersonalData.digest(customerId)).map(this::withStatus);
    }

    /** On Datomic Pro storage, pending while the transactor has not excised yet. */
    ErasureRecord withStatus(ErasureRecord record) {
        if (!store.isSharedStorage() || store.connection().syncExcise(record.t()).isDone()) {
            return record;
        }
        return new ErasureRecord(record.customer(), record.t(), record.erasedAt(), record.by(), record.reason(), "pending",
                record.transactions());
    }

    private static Optional<ErasureRecord> findDigest(Database db, String digest) {
        Object e = db.entid(Util.list(Attr.ERASURE_CUSTOMER, digest));
        return e == null ? Optional.empty() : Optional.of(record(db, e, "complete"));
    }

    /** Every erasure recorded in {@code db}, oldest first. */
    public static List<ErasureRecord> all(Database db) {
        List<ErasureRecord> all = new ArrayList<>();
        for (Object o : db.datoms(Database.AEVT, Attr.ERASURE_CUSTOMER)) {
            all.add(record(db, ((Datom) o).e(), "complete"));
        }
        all.sort((a, b) -> Long.compare(a.t(), b.t()));
        return all;
    }

    private static ErasureRecord record(Database db, Object e, String status) {
        Entity entity = db.entity(e);
        Datom made = (Datom) db.datoms(Database.EAVT, e, Attr.ERASURE_CUSTOMER).iterator().next();
        long t = Peer.toT(made.tx());
        return new ErasureRecord((String) entity.get(Attr.ERASURE_CUSTOMER), t, Facts.txInstant(db, t),
                (String) entity.get(Attr.ERASURE_BY), (String) entity.get(Attr.ERASURE_REASON), status,
                CustomerErasure.transactions(entity));
    }

    private Outcome eraseAlone(String customerId, String by, String reason) throws Exception {
        Connection conn = store.connection();
        Database db = conn.db();
        Optional<ErasureRecord> before = find(db, customerId);
        if (before.isPresent()) {
            return new Outcome(before.get(), false);
        }
        CustomerErasure plan = CustomerErasure.of(db, customerId).orElseThrow(() -> Refusal.notFound(
                "No customer " + customerId + " was ever recorded here: there is nothing to erase"));
        refuseReasonNaming(reason, plan);
        if (store.isSharedStorage()) {
            return excise(conn, plan, by, reason);
        }
        // Stamped first: a clock behind the promised floor refuses at once, before a copy that may take seconds.
        Instant instant = stamp();
        try {
            heap.checkCopy();
            long started = System.nanoTime();
            DatomicStore.Copy copy = store.copyErasing(plan);
            boolean served = false;
            try {
                List<Object> tx = plan.transaction(by, reason, Date.from(instant), false);
                Database after = (Database) recordOn(copy.connection(), tx).get(Connection.DB_AFTER);
                if (journal.enabled()) {
                    journal(UUID.randomUUID(), instant, codec.write(tx), plan);
                }
                store.replace(copy);
                served = true;
                if (!JsonBuffers.forget()) {
                    LOG.warn("Jackson's buffer pool could not be emptied: buffers may hold erased values until reused");
                }
                store.txIndex().record(after.basisT(), instant.toEpochMilli());
                // Not the id's digest: a log is copied further than the audit trail (GET /erasures names it).
                LOG.infof("Erased a customer (%d transactions held its data) at t=%d, by %s, in %d ms",
                        plan.ts().size(), after.basisT(), by, (System.nanoTime() - started) / 1_000_000);
                return new Outcome(findDigest(after, plan.digest()).orElseThrow(), true);
            } finally {
                if (!served) {
                    store.discard(copy);
                }
            }
        } finally {
            clock.resolved();
        }
    }

    /**
     * Transacts the erasure's record on the copy, as a batch is transacted: a stamp from Datomic's
     * future (the clock stepped back) waits for its clock up to {@code asof.clock.max-wait}; past that,
     * nothing was erased (503).
     */
    private Map<?, ?> recordOn(Connection copy, List<Object> tx) throws Exception {
        try {
            return DatomicStore.transactWhenDue(copy, tx, clockMaxWait);
        } catch (ExecutionException e) {
            if (DatomicStore.aheadOfItsClock(e.getCause())) {
                throw Refusal.unavailable("Datomic's clock is still behind the erasure's instant after "
                        + clockMaxWait.toSeconds() + " s (the clock stepped back); nothing was erased", retryAfter);
            }
            throw e;
        }
    }

    /** The erasure's instant, from the writer's clock ({@link TxClock}: never before the promised floor). */
    private Instant stamp() throws InterruptedException {
        try {
            return clock.stamp();
        } catch (TxClock.ClockBehindException e) {
            throw e.refusal("nothing was erased");
        }
    }

    /**
     * The journal's part. Refused — any failure before the commit was asked for ({@link Journal#erase})
     * — nothing was erased: 503, the copy is discarded, the request may be repeated. Fenced: the same,
     * and this process writes no more. Unknown (the commit had no answer): repeated under the same
     * batch id, which is safe ({@link Journal#erase}), until it is decided, as a batch's append is
     * ({@code BatchCommit}); a repeat that commits, or finds the batch journaled, serves the erasure.
     * A repeat refused proves nothing of the commit before it: if repeats are still refused after
     * {@code ASOF_JOURNAL_ANSWER_WITHIN}, this process cannot tell whether the journal holds the
     * erasure, and it stops (exit 70, fail-stop, as for a journaled batch Datomic fails): the
     * restart's replay decides, and a repeated request then answers the erasure's record, or
     * erases. Events queue meanwhile and are answered at their deadline; the request is answered
     * 202, running, after a minute.
     */
    private void journal(UUID batchId, Instant instant, String payload, CustomerErasure plan) {
        try {
            journal.erase(batchId, instant, payload, plan);
            return;
        } catch (JournalFencedException e) {
            LOG.warnf("Erasure batch %s is refused: %s; nothing was erased", batchId, e.getMessage());
            throw fencedOut();
        } catch (JournalRefusedException e) {
            LOG.warnf("The journal did not take erasure batch %s (%s): nothing was erased, the copy is discarded",
                    batchId, e.getMessage());
            throw Refusal.unavailable("The journal did not take the erasure (" + e.getMessage() + "); nothing was"
                    + " erased", retryAfter);
        } catch (JournalUnavailableException e) {
            LOG.warnf("The journal's commit of erasure batch %s has no answer (%s); nothing else is written until it is"
                    + " decided", batchId, e.getMessage());
        }
        long since = System.nanoTime();
        boolean told = false;
        for (long attempt = 1; ; attempt++) {
            Journal.pauseBeforeRepeat(attempt);
            boolean late = System.nanoTime() - since > journalPatience.toNanos();
            try {
                journal.erase(batchId, instant, payload, plan);
                LOG.infof("Erasure batch %s is journaled (confirmed on attempt %d)", batchId, attempt + 1);
                return;
            } catch (JournalFencedException e) {
                // Journal.erase found no attempt of this batch that landed: with the role gone, none will.
                throw fencedOut();
            } catch (JournalRefusedException refused) {
                if (journaledAfterAll(batchId)) {
                    return;
                }
                if (late) {
                    // The database this process serves may now differ from the journal, and nothing here
                    // can tell: as when Datomic fails a journaled batch (BatchCommit), it stops, and the
                    // restart's replay decides. Serving on would promise floors and take writes on a
                    // database that may lack the erasure.
                    LOG.fatalf("The journal did not decide the commit of erasure batch %s within %d s and refuses"
                            + " every repeat (%s): it may hold the erasure. Stopping so that the restart's replay decides",
                            batchId, journalPatience.toSeconds(), refused.getMessage());
                    Runtime.getRuntime().halt(70);
                }
            } catch (JournalUnavailableException stillUnknown) {
                if (late && !told) {
                    told = true;
                    LOG.errorf("The journal has not decided erasure batch %s for %d s (%s); writes wait until it does",
                            batchId, journalPatience.toSeconds(), stillUnknown.getMessage());
                }
            }
        }
    }

    /** Whether the batch is in the journal after all; false when PostgreSQL cannot say. */
    private boolean journaledAfterAll(UUID batchId) {
        try {
            return journal.journaled(batchId);
        } catch (JournalUnavailableException e) {
            return false;
        }
    }

    private Refusal fencedOut() {
        return Refusal.unavailable("Another process took the journal's writer role; nothing was erased. This process"
                + " takes no more writes: send the request to the one that holds the role", retryAfter);
    }

    /** Datomic Pro: the record and the excision in one transaction, then the transactor's excision, waited for. */
    private Outcome excise(Connection conn, CustomerErasure plan, String by, String reason) throws Exception {
        List<Object> tx = plan.transaction(by, reason, null, true);
        Database after = (Database) conn.transact(tx).get().get(Connection.DB_AFTER);
        // Excision happens at Datomic's next indexing job: ask for one now rather than wait for writes to start it.
        conn.requestIndex();
        String status = "complete";
        try {
            conn.syncExcise(after.basisT()).get(syncWait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            status = "pending";
        } catch (ExecutionException e) {
            LOG.warn("Waiting for Datomic's excision failed; it may still complete", e.getCause());
            status = "pending";
        }
        JsonBuffers.forget();
        Object e = after.entid(Util.list(Attr.ERASURE_CUSTOMER, plan.digest()));
        return new Outcome(record(after, e, status), true);
    }

    /** A reason is kept for ever in the audit trail: it must not name what it erases. */
    private static void refuseReasonNaming(String reason, CustomerErasure plan) {
        String lower = reason.toLowerCase(Locale.ROOT);
        for (Object value : plan.erasedValues()) {
            if (value instanceof String text && text.length() >= 3 && lower.contains(text.toLowerCase(Locale.ROOT))) {
                throw Refusal.invalid("The reason names one of the customer's erased values; the audit trail keeps the"
                        + " reason for ever, so it must not hold personal data",
                        List.of(new FieldError(null, null, "reason", "names an erased value")));
            }
        }
    }
}
