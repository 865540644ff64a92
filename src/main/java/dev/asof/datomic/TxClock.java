package dev.asof.datomic;

import dev.asof.config.AsofConfig;
import dev.asof.core.Refusal;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.jboss.logging.Logger;

/**
 * The single writer's clock: it stamps every transaction's instant, and it knows the floor below
 * which no transaction still to come can land. Both rest on one invariant, kept here and nowhere
 * else: <em>stamps never go backwards, and no stamp to come is earlier than the floor</em>.
 *
 * <ul>
 * <li>A stamp is the clock's reading, and never earlier than the floor. A clock behind the floor
 *     (stepped back, or a host slower than the one that wrote before) is an availability problem:
 *     the writer waits for its clock to reach the floor, up to {@code asof.clock.max-wait}; further
 *     behind, {@link #stamp} throws {@link ClockBehindException} saying how long it still needs.
 *     Datomic never sees an instant ahead of the clock (it refuses those as
 *     {@code :db.error/future-tx-instant}).</li>
 * <li>While a batch is in flight (stamped, its outcome not yet known: journal append, uncertain
 *     outcome, transact) the floor in memory is that batch's stamp. When the writer is idle, it may
 *     rise to the clock: the next stamp will be at least that.</li>
 * <li>With the journal on, the floor that proves anything is the one <em>promised durably</em>
 *     ({@link FloorKeeper}: {@code asof_writer.floor} in PostgreSQL, raised every half second,
 *     and on demand by reads on worker threads), because the next process — whatever its clock says — starts its floor at the
 *     promise. {@link #floor()} is then the lesser of the floor in memory and the promise. Without a
 *     journal nothing survives a restart, and the floor in memory is the whole proof.</li>
 * </ul>
 *
 * An instant strictly below {@link #floor()} is settled: every transaction at or before it is already
 * in the database (Datomic accepts equal instants, hence strictly). With Datomic Pro ({@code sql}
 * storage) several peers write and the transactor stamps: this peer's clock proves nothing, so
 * {@link #stamps()} is false and {@link #floor()} answers null. Before the writer starts (a process
 * still waiting for the writer role) the floor is the epoch: this process vouches for nothing.
 */
@ApplicationScoped
public class TxClock {
    private static final Logger LOG = Logger.getLogger(TxClock.class);

    /** Where the floor is promised durably (the journal's writer row). */
    public interface FloorKeeper {
        /** Promises that no transaction of this writer lands before {@code floor}; throws when not confirmed. */
        void promise(Instant floor) throws Exception;
    }

    /** The clock is behind the floor by more than the writer may wait: {@link #behind()} says by how much. */
    public static final class ClockBehindException extends Exception {
        private final Duration behind;

        ClockBehindException(Duration behind, Instant floor) {
            super("the clock is " + behind.toMillis() + " ms behind the newest promised transaction instant " + floor);
            this.behind = behind;
        }

        public Duration behind() {
            return behind;
        }

        /**
         * What a write refused for it answers: 503, how far behind, and Retry-After the seconds still
         * needed (at least 1); {@code nothingDone} says what was not done ("nothing was recorded").
         */
        public Refusal refusal(String nothingDone) {
            int seconds = (int) Math.max(1, (behind.toMillis() + 999) / 1000);
            return Refusal.unavailable("The service's clock is " + seconds + " s behind the newest transaction instant"
                    + " (written by a process whose clock ran ahead); " + nothingDone + ", retry after the delay", seconds);
        }
    }

    private final Clock clock;
    private final Duration maxWait;
    private Instant floor = Instant.EPOCH;
    private boolean inFlight;
    private boolean started;
    private boolean stamps = true;
    private long clamped;
    /** Null without a journal; otherwise where promises go, and the newest confirmed one. */
    private FloorKeeper keeper;
    private volatile Instant promised = Instant.EPOCH;
    /** Held while a promise is made: one at a time; a read never waits for another's. */
    private final java.util.concurrent.locks.ReentrantLock promising = new java.util.concurrent.locks.ReentrantLock();
    /** The last promise was not confirmed (PostgreSQL away or slow): reads leave promising to the timer. */
    private volatile boolean unconfirmed;
    private long unpromised;

    @Inject
    public TxClock(Clock clock, AsofConfig config) {
        this(clock, config.clock().maxWait());
    }

    public TxClock(Clock clock) {
        this(clock, Duration.ofSeconds(10));
    }

    TxClock(Clock clock, Duration maxWait) {
        this.clock = clock;
        this.maxWait = maxWait;
    }

    /** Called once the database is in place and this process writes: stamps continue from its newest instant. */
    public synchronized void start(Instant newestRecorded, boolean peerStamps) {
        floor = floor.isAfter(newestRecorded) ? floor : newestRecorded;
        stamps = peerStamps;
        started = true;
    }

    /**
     * Called once the database holds the whole journal and this process holds the writer role:
     * stamps continue from the newest recorded instant or the promised floor, whichever is later,
     * and the floor that proves settledness is the one {@code keeper} confirms.
     */
    public synchronized void start(Instant newestRecorded, Instant promisedFloor, FloorKeeper keeper) {
        start(newestRecorded.isAfter(promisedFloor) ? newestRecorded : promisedFloor, true);
        this.keeper = keeper;
        this.promised = promisedFloor;
    }

    /** True when this peer stamps its transactions (the single writer); false when the transactor does. */
    public synchronized boolean stamps() {
        return stamps;
    }

    /**
     * The instant of the batch about to be committed; the floor holds at it until {@link #resolved()}.
     * Waits (up to {@code asof.clock.max-wait}) while the clock is behind the floor.
     *
     * @throws ClockBehindException the clock is further behind the floor than the writer may wait
     * @throws InterruptedException the wait was interrupted (the process is stopping)
     */
    public Instant stamp() throws ClockBehindException, InterruptedException {
        while (true) {
            Duration behind;
            synchronized (this) {
                Instant now = now();
                if (!now.isBefore(floor)) {
                    floor = now;
                    inFlight = true;
                    return now;
                }
                behind = Duration.between(now, floor);
                if (behind.compareTo(maxWait) > 0) {
                    if (clamped++ % 1000 == 0) {
                        LOG.warnf("The clock reads %s, %d ms before the newest promised transaction instant %s:"
                                + " writes are refused until it gets there (instants never go backwards)",
                                now, behind.toMillis(), floor);
                    }
                    throw new ClockBehindException(behind, floor);
                }
            }
            Thread.sleep(Math.max(1, Math.min(behind.toMillis(), 100)));
        }
    }

    /** The batch stamped last has an outcome (committed, or known not to be): the floor may rise again. */
    public synchronized void resolved() {
        inFlight = false;
    }

    /** How far the clock is behind the floor now (zero when it is not): writes wait or are refused meanwhile. */
    public synchronized Duration behind() {
        Instant now = now();
        return started && stamps && now.isBefore(floor) ? Duration.between(now, floor) : Duration.ZERO;
    }

    /**
     * No transaction still to come can carry an instant earlier than this; null when this peer
     * cannot know (another process stamps). Read it <em>before</em> the database value it vouches for.
     */
    public Instant floor() {
        Instant inMemory;
        synchronized (this) {
            if (!started || !stamps) {
                return started ? null : Instant.EPOCH;
            }
            inMemory = raise();
            if (keeper == null) {
                return inMemory;
            }
        }
        Instant durable = promised;
        return durable.isBefore(inMemory) ? durable : inMemory;
    }

    /**
     * {@link #floor()}, first promising the floor in memory when {@code wanted} lies between the
     * durable promise and it and the calling thread may block (a worker, never an event loop: the
     * promise is a PostgreSQL round trip): a read about an instant just past is then answered
     * settled at once, instead of after the next periodic promise. A read never waits for a promise
     * another thread is making, and while the last promise was not confirmed it makes none: with
     * PostgreSQL away, reads must not pile up on its timeouts (the periodic promise goes on trying).
     */
    public Instant floor(Instant wanted) {
        Instant now = floor();
        if (now != null && keeper() != null && !wanted.isBefore(now) && Infrastructure.canCallerThreadBeBlocked()) {
            Instant inMemory;
            synchronized (this) {
                inMemory = floor;
            }
            if (wanted.isBefore(inMemory) && !unconfirmed) {
                promise(wanted, false);
                return floor();
            }
        }
        return now;
    }

    /**
     * Promises the floor in memory durably (one PostgreSQL round trip): from then on the next
     * process cannot stamp below it. Not confirmed (PostgreSQL away, this process fenced): the
     * promise stays where it was, and so does what this process declares settled.
     */
    public void promiseNow() {
        promise(null, true);
    }

    private synchronized FloorKeeper keeper() {
        return keeper;
    }

    /**
     * Promises the floor in memory, unless {@code wanted} (null: always) lies before the promise
     * already (another read asked first).
     */
    private void promise(Instant wanted, boolean mayWait) {
        FloorKeeper keeper = keeper();
        if (keeper == null) {
            return;
        }
        if (mayWait) {
            promising.lock();
        } else if (!promising.tryLock()) {
            return;
        }
        try {
            if (wanted != null && wanted.isBefore(promised)) {
                return;
            }
            Instant target;
            synchronized (this) {
                target = raise();
            }
            if (!target.isAfter(promised)) {
                return;
            }
            try {
                keeper.promise(target);
                promised = target;
                unconfirmed = false;
            } catch (Exception e) {
                unconfirmed = true;
                if (unpromised++ % 100 == 0) {
                    LOG.warnf("The floor %s was not promised (%s): answers at or after %s are not settled until it is",
                            target, e.getMessage(), promised);
                }
            }
        } finally {
            promising.unlock();
        }
    }

    /** The floor in memory, raised to the clock when no batch is in flight. Call holding this. */
    private Instant raise() {
        if (!inFlight) {
            Instant now = now();
            if (now.isAfter(floor)) {
                floor = now;
            }
        }
        return floor;
    }

    /** The service's clock, to the millisecond Datomic keeps. */
    public Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }
}
