package dev.asof.journal;

import dev.asof.datomic.CustomerErasure;
import com.fasterxml.jackson.databind.ObjectMapper;
import datomic.Connection;
import datomic.Database;
import dev.asof.config.OwnedThreads;
import dev.asof.datomic.DatomicStore;
import dev.asof.datomic.Facts;
import dev.asof.datomic.HeapBudget;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicReference;
import org.jboss.logging.Logger;

/**
 * At start-up, before the transact worker runs and before the store serves reads: replays the
 * journal into the fresh database, batch by batch in the original order with the original
 * transaction instants, which reproduces the same t values and the same answers as before.
 *
 * <p>The replay runs on its own thread, so that the HTTP port opens at once (a platform's boot
 * check sees a live process; a million events take about a minute): until it ends, readiness is
 * down with the progress (events done of total) in its data, and reads and writes are refused as
 * unavailable. A journal the heap cannot hold ({@link HeapBudget}) stops the start-up before
 * replaying, with how much heap it needs.
 *
 * <p>Each batch is applied as the transaction data it was journaled with ({@link JournalCodec}:
 * format 3), so a replay does not depend on how today's code turns events into datoms; a row of
 * the older format 1 (events) is rebuilt into a transaction, and the writer rewrites it in the current format.
 *
 * <p>Then the store serves reads. It takes writes once this process holds the journal's writer
 * role ({@link Journal}): at once when it took the role at start; otherwise (another process
 * writes: an overlapping deploy) it polls for the role every second, writes answered unavailable
 * meanwhile, and once it has the role replays the tail the other one wrote, then takes writes.
 *
 * <p>Replay never skips a batch that was acknowledged. Batches marked rejected in the journal are
 * not read at all. A format-2 batch Datomic rejects as data on replay was rejected live too (the
 * same data on the same database value), and never acknowledged: its mark was lost (the writer was
 * fenced or stopped first), so it is passed by, and marked when this process holds the writer role
 * (otherwise the writer's next replay passes it by again). Any other batch that Datomic refuses
 * stops the start-up with a message naming it: a service that comes up without an acknowledged
 * batch would move every later t. An instant earlier than the one before it (written by a version that followed a clock stepping
 * back) is clamped to that one, and logged: the t values stay, the instant moves forward by the
 * step. An instant ahead of this host's clock (written by a host whose clock ran ahead) is waited
 * for, however long, with readiness saying so: Datomic refuses instants from its future, and a
 * batch cannot be skipped or moved.
 */
@ApplicationScoped
public class JournalReplay {
    private static final Logger LOG = Logger.getLogger(JournalReplay.class);

    private final Journal journal;
    private final DatomicStore store;
    private final JournalCodec codec;
    private final HeapBudget heap;
    private volatile long replayedEvents;
    private volatile long totalEvents;

    public JournalReplay(Journal journal, DatomicStore store, ObjectMapper mapper, HeapBudget heap) {
        this.journal = journal;
        this.store = store;
        this.codec = new JournalCodec(mapper);
        this.heap = heap;
    }

    /** One journaled batch, decoded and ready to transact. */
    private record Decoded(Journal.Entry entry, JournalCodec.Replayable batch) {
    }

    private static final Decoded END = new Decoded(null, null);

    void replay(@Observes @Priority(15) StartupEvent event) {
        if (!journal.enabled()) {
            store.openForReads("the writer is starting", null);
            store.takeWrites();
            return;
        }
        totalEvents = journal.replayableEvents();
        heap.checkReplay(totalEvents);
        Thread replay = OwnedThreads.newThread("asof-journal-replay", () -> {
            try {
                long seq = replayAll(0);
                if (journal.holdsRole()) {
                    store.openForReads("the writer is starting", journal.identity());
                } else {
                    store.openForReads(WAITING_FOR_ROLE, journal.identity());
                    awaitRole();
                    LOG.info("Took the journal's writer role; replaying what the previous writer wrote since");
                    // An erasure the writer ran meanwhile rewrote rows this process replayed as they were:
                    // it erases those customers first, so that the rewritten rows apply as they did there.
                    for (String digest : journal.erasuresAfter(seq, codec)) {
                        eraseBeforeRecording(store.restoring(progress()), digest);
                    }
                    replayAll(seq);
                }
                store.takeWrites();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                LOG.error(e.getMessage(), e.getCause() != null ? e.getCause() : e);
                Quarkus.asyncExit(1);
            }
        }, true); // a process waiting for the writer role must still stop when told
        replay.start();
    }

    private static final String WAITING_FOR_ROLE = "waiting for the journal's writer role, held by another process;"
            + " reads are served from what this one replayed";

    /** Polls for the writer role once a second until this process holds it. */
    private void awaitRole() throws InterruptedException {
        while (true) {
            try {
                if (journal.tryTakeRole()) {
                    return;
                }
            } catch (RuntimeException e) {
                LOG.warnf("Could not ask PostgreSQL for the writer role (%s); asking again", e.getMessage());
            }
            Thread.sleep(1000);
        }
    }

    /** What the replay is doing, in words (readiness data, unavailable answers, the log). */
    private String progress() {
        return String.format(Locale.ROOT, "replaying the journal: %,d of %,d events", replayedEvents, totalEvents);
    }

    /** Replays the batches after {@code afterSeq}; the seq of the last one replayed. */
    private long replayAll(long afterSeq) throws InterruptedException {
        Connection conn = store.restoring(progress());
        long started = System.nanoTime();
        // Reading PostgreSQL and decoding JSON run on a reader thread, a few batches ahead, while
        // this thread transacts: Datomic's transact is the replay's bottleneck, so it never waits.
        BlockingQueue<Decoded> ready = new ArrayBlockingQueue<>(8);
        AtomicReference<RuntimeException> readFailure = new AtomicReference<>();
        Thread reader = OwnedThreads.newThread("asof-journal-reader", () -> {
            try {
                try {
                    journal.replay(afterSeq, entry -> put(ready, new Decoded(entry, codec.read(entry.format(), entry.payload()))));
                } catch (Stopped stopped) {
                    throw stopped;
                } catch (RuntimeException e) {
                    readFailure.set(e);
                }
                put(ready, END);
            } catch (Stopped stopped) {
                // The replay stopped (a batch could not be applied) and interrupted this reader: it
                // ends quietly, so that the start-up's own failure, naming the batch, is what is logged
                // — a reader dying of it would stop the process first.
            }
        }, false);
        reader.start();
        Database db = conn.db();
        Instant last = Facts.txInstant(db, db.basisT());
        long batches = 0;
        long clamped = 0;
        long upgraded = 0;
        long seq = afterSeq;
        long logged = System.nanoTime();
        for (Decoded next = ready.take(); next != END; next = ready.take()) {
            batches++;
            Instant instant = next.entry().txInstant();
            if (instant.isBefore(last)) {
                clamped++;
                LOG.warnf("Journal batch seq=%d is stamped %s, before the batch ahead of it (%s): replayed at %s",
                        next.entry().seq(), instant, last, last);
                instant = last;
            }
            awaitClock(next.entry(), instant);
            String erasure = next.batch().erasure();
            if (erasure != null) {
                conn = eraseBeforeRecording(conn, erasure);
            }
            try {
                List<Object> txData = next.batch().txData(conn.db(), instant);
                Database after = (Database) conn.transact(txData).get().get(Connection.DB_AFTER);
                store.txIndex().record(after.basisT(), instant.toEpochMilli());
                if (next.batch().outdated() && journal.holdsRole()) {
                    upgrade(next.entry(), txData);
                    upgraded++;
                }
                replayedEvents += next.entry().eventCount();
                last = instant;
                seq = next.entry().seq();
                String progress = progress();
                store.restoring(progress);
                if (System.nanoTime() - logged > 5_000_000_000L) {
                    logged = System.nanoTime();
                    LOG.info(progress);
                }
            } catch (ExecutionException e) {
                if (!next.batch().outdated() && DatomicStore.rejectedAsData(e.getCause())) {
                    // The very transaction data the live writer transacted, on the very database value
                    // it had: Datomic rejected it then too (or would have, had the writer lived to
                    // try), so none of it was acknowledged. Only the writer's mark is missing: it was
                    // fenced, or stopped, before the mark landed.
                    LOG.warnf("Journal batch seq=%d is rejected by Datomic as it was live (%s): passed by, as the"
                            + " live writer did", next.entry().seq(), firstLine(e.getCause()));
                    markRejected(next.entry(), firstLine(e.getCause()));
                    seq = next.entry().seq();
                    continue;
                }
                reader.interrupt();
                throw new IllegalStateException("Journal batch seq=" + next.entry().seq() + " (batch " + next.entry().batchId()
                        + ", " + next.entry().eventCount() + " events, stamped " + next.entry().txInstant()
                        + ") cannot be applied to Datomic: " + firstLine(e.getCause()) + ". Start-up stops here rather"
                        + " than come up without it; every later t depends on it", e.getCause());
            }
        }
        if (readFailure.get() != null) {
            throw new IllegalStateException("Reading the journal failed", readFailure.get());
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        if (batches > 0) {
            LOG.infof("Replayed %d journaled batches (%d events, %d instants clamped, %d rows rewritten in format %d)"
                    + " in %.1f s: %.0f events/s; basis t=%d", batches, replayedEvents, clamped, upgraded,
                    JournalCodec.FORMAT, seconds, replayedEvents / seconds, conn.db().basisT());
        }
        return seq;
    }

    /**
     * Before an erasure's batch is applied: when the database still holds the customer's personal
     * values — it replayed rows before the erasure rewrote them (a process that waited for the
     * writer role while the writer erased) — it is copied without them ({@link DatomicStore#copyErasing}),
     * as the writer did. A replay of rewritten rows finds placeholders only and copies nothing.
     */
    private Connection eraseBeforeRecording(Connection conn, String digest) {
        java.util.Optional<CustomerErasure> plan = CustomerErasure.ofDigest(conn.db(), digest);
        if (plan.isEmpty() || !plan.get().holdsValues()) {
            return conn;
        }
        LOG.infof("The journal erased a customer (%d transactions held its data) after this process replayed them:"
                + " erasing it here too", plan.get().ts().size());
        heap.checkCopy(); // refused (507): the replay stops rather than come up holding the erased values
        store.replace(store.copyErasing(plan.get()));
        return store.restoring(progress());
    }

    /**
     * Rewrites a format-1 row as the transaction data just applied for it; only the writer does (a
     * process waiting for the role leaves the row to the writer's next replay). A journal that cannot
     * take the rewrite now keeps the old row, which the next replay reads the same way.
     */
    private void upgrade(Journal.Entry entry, List<Object> txData) {
        try {
            journal.upgrade(entry.seq(), codec.write(txData));
        } catch (JournalUnavailableException | IllegalArgumentException e) {
            LOG.warnf("Journal batch seq=%d stays in format 1 for now: %s", entry.seq(), e.getMessage());
        }
    }

    /** Marks a batch replay found rejected, when this process holds the role; otherwise the writer's next replay will. */
    private void markRejected(Journal.Entry entry, String reason) {
        if (!journal.holdsRole()) {
            return;
        }
        try {
            journal.reject(entry.batchId(), reason);
        } catch (JournalUnavailableException e) {
            LOG.warnf("Journal batch seq=%d could not be marked rejected now (%s); the next replay passes it by again",
                    entry.seq(), e.getMessage());
        }
    }

    /**
     * Waits until this host's clock reaches {@code instant}, saying so in readiness: Datomic refuses
     * a transaction instant from its future ({@code :db.error/future-tx-instant}).
     */
    private void awaitClock(Journal.Entry entry, Instant instant) throws InterruptedException {
        long ahead = instant.toEpochMilli() - System.currentTimeMillis();
        if (ahead <= 0) {
            return;
        }
        String waiting = "waiting for the clock to reach " + instant + " (journal batch seq=" + entry.seq()
                + ", written by a host whose clock ran ahead; " + ahead + " ms to go)";
        LOG.warn(waiting);
        store.restoring(waiting);
        while ((ahead = instant.toEpochMilli() - System.currentTimeMillis()) > 0) {
            Thread.sleep(Math.min(ahead, 1000));
        }
    }

    private static String firstLine(Throwable e) {
        String message = String.valueOf(e.getMessage());
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }

    private static void put(BlockingQueue<Decoded> queue, Decoded decoded) {
        try {
            queue.put(decoded);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Stopped();
        }
    }

    /** The reader was interrupted: the replay that it reads for has stopped. */
    private static final class Stopped extends RuntimeException {
        Stopped() {
            super("Replay stopped", null, false, false);
        }
    }
}
