package dev.asof.datomic;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

/**
 * The single writer's clock: it stamps every transaction's instant, and it knows the floor below
 * which no transaction still to come can land. Both rest on one invariant, kept here and nowhere
 * else: <em>stamps never go backwards, and no stamp to come is earlier than the floor</em>.
 *
 * <ul>
 * <li>A stamp is {@code max(clock, floor)}: a clock that steps back is clamped (and logged), never
 *     followed, so Datomic never sees an instant earlier than one it holds, live or on replay.</li>
 * <li>While a batch is in flight (stamped, its outcome not yet known: journal append, uncertain
 *     outcome, transact) the floor is that batch's stamp. When the writer is idle, the floor may
 *     rise to the clock: the next stamp will be at least that.</li>
 * </ul>
 *
 * An instant strictly below the floor is settled: every transaction at or before it is already in
 * the database (Datomic accepts equal instants, hence strictly). With Datomic Pro ({@code sql}
 * storage) several peers write and the transactor stamps: this peer's clock proves nothing, so
 * {@link #stamps()} is false and {@link #floor()} answers null.
 */
@ApplicationScoped
public class TxClock {
    private static final Logger LOG = Logger.getLogger(TxClock.class);

    private final Clock clock;
    private Instant floor = Instant.EPOCH;
    private boolean inFlight;
    private boolean started;
    private boolean stamps = true;
    private long clamped;

    public TxClock(Clock clock) {
        this.clock = clock;
    }

    /** Called once the database is in place: stamps continue from its newest instant. */
    public synchronized void start(Instant newestRecorded, boolean peerStamps) {
        floor = floor.isAfter(newestRecorded) ? floor : newestRecorded;
        stamps = peerStamps;
        started = true;
    }

    /** True when this peer stamps its transactions (the single writer); false when the transactor does. */
    public synchronized boolean stamps() {
        return stamps;
    }

    /** The instant of the batch about to be committed; the floor holds at it until {@link #settled()}. */
    public synchronized Instant stamp() {
        Instant now = now();
        Instant stamp = now.isBefore(floor) ? floor : now;
        if (now.isBefore(floor) && floor.toEpochMilli() - now.toEpochMilli() > 1000 && clamped++ % 1000 == 0) {
            LOG.warnf("The clock reads %s, before the newest transaction instant %s: transactions are stamped %s"
                    + " until the clock catches up (instants never go backwards)", now, floor, floor);
        }
        floor = stamp;
        inFlight = true;
        return stamp;
    }

    /** The batch stamped last has an outcome (committed, or known not to be): the floor may rise again. */
    public synchronized void settled() {
        inFlight = false;
    }

    /**
     * No transaction still to come can carry an instant earlier than this; null when this peer
     * cannot know (another process stamps). Read it <em>before</em> the database value it vouches for.
     */
    public synchronized Instant floor() {
        if (!started || !stamps) {
            return started ? null : Instant.EPOCH;
        }
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
