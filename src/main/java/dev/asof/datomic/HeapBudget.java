package dev.asof.datomic;

import dev.asof.core.Refusal;
import com.sun.management.GarbageCollectionNotificationInfo;
import dev.asof.config.AsofConfig;
import dev.asof.config.OwnedThreads;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongPredicate;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;
import javax.management.NotificationEmitter;
import javax.management.openmbean.CompositeData;
import org.jboss.logging.Logger;

/**
 * The embedded database lives on the heap, and grows with every event: this is where its size is
 * planned and watched, so that a full heap refuses writes instead of killing the process.
 *
 * <ul>
 * <li>After every garbage collection, the heap still in use is compared with the maximum heap. Above
 *     {@code asof.memory.refuse-writes-above} (0.8) writes are refused (heap full) until a reading
 *     brings it 5 points below: the live data is what the database holds, so this is the measure of "nearly
 *     full" that a growing database cannot fool. Reads go on.</li>
 * <li>A reading after a young collection over-counts: the old generation still holds whatever died
 *     there since the last full (or mixed) collection: the answers of a read spike, promoted while
 *     they were being built, and above all the index segments the embedded database replaces as it
 *     grows (under a write flood at 3 GB, young readings crossed 80% with about half of it live).
 *     Such a reading under the limit is trusted (the live data can only be less). One above it is
 *     suspect: writes go on while G1's concurrent cycle and the mixed collections after it clean the
 *     old generation, and are refused only if the readings stay above the limit for 10 s, or one
 *     crosses a quarter of the room left above it (85% at 80%), which no garbage excuses: the rest is
 *     for what 10 s of writes may add and the request bodies in flight (an eighth of the heap). A quiet service
 *     (no collection for {@value #QUIET_SECONDS} s: writes refused, reads done) would keep a stale
 *     reading for minutes; there asof asks for one full collection ({@code System.gc()}, on its own
 *     thread), whose reading counts live data only and decides at once. Never while collections are
 *     coming: a full collection stops every thread for about a second per GB live (measured:
 *     1.2–2.0 s at 0.9–1.3 GB live on two cores, under the open-loop overload benchmark,
 *     docs/benchmarks.md), and one taken every few seconds under a write flood stalled every read
 *     and every 429 with it. While above the limit, the confirmation is repeated: at most once every
 *     5 s, backing off to once a minute while full collections keep finding the heap full. With
 *     {@code -XX:+DisableExplicitGC} only the JVM's own collections are read.</li>
 * <li>Before a journal is replayed, its events times {@code asof.memory.bytes-per-event} (measured,
 *     see docs/benchmarks.md) is compared with the same budget: a journal that cannot fit stops the
 *     start-up with what it needs, instead of a replay that dies out of memory and a platform that
 *     restarts it into the same death. An erasure's copy of the database is checked the same way
 *     (it needs as much again as what is in use). Both refuse only on a full collection's reading:
 *     they are rare, and a young reading's garbage must not refuse them. Those are the only full
 *     collections asof asks for under load: at most one a request (none when one ran in the last
 *     {@value #RECENT_LIVE_SECONDS} s), and only when the last reading would refuse; and one after
 *     an erasure whose copy and the old database together were above the write limit
 *     ({@link #afterCopy}), so that the old one, garbage now, does not refuse writes.</li>
 * </ul>
 * With Datomic Pro storage the database is not on the heap (the peer caches a bounded part of it),
 * and nothing is refused.
 */
@Startup
@ApplicationScoped
public class HeapBudget {
    private static final Logger LOG = Logger.getLogger(HeapBudget.class);
    private static final double HYSTERESIS = 0.05;
    /** The JVM's word for a young (or G1 mixed) collection, whose reading still counts dead old objects. */
    private static final String YOUNG = "end of minor GC";
    private static final long FIRST_CONFIRMATION = TimeUnit.SECONDS.toNanos(5);
    private static final long LAST_CONFIRMATION = TimeUnit.SECONDS.toNanos(60);
    private static final long NONE = Long.MIN_VALUE;
    /**
     * How long young collections' readings may stay above the limit before writes are refused: time
     * for G1's concurrent cycle and the mixed collections after it to clean the old generation (the
     * marking alone took 2–3 s on two busy cores under the open-loop overload benchmark).
     */
    static final long SUSPECT_FOR = TimeUnit.SECONDS.toNanos(10);
    /** No collection for this long: the service is quiet, and a full collection stalls no one. */
    static final int QUIET_SECONDS = 2;
    /** A full collection's reading this recent decides a replay or an erasure without another one. */
    static final int RECENT_LIVE_SECONDS = 5;
    private static final long QUIET = TimeUnit.SECONDS.toNanos(QUIET_SECONDS);

    private final DatomicStore store;
    private final double limit;
    private final int bytesPerEvent;
    private final long maxHeap = Runtime.getRuntime().maxMemory();
    /** The heap's pools; a collection reports the non-heap ones (metaspace, code cache) too, which do not hold the database. */
    private final Set<String> heapPools = ManagementFactory.getMemoryPoolMXBeans().stream()
            .filter(pool -> pool.getType() == MemoryType.HEAP).map(MemoryPoolMXBean::getName).collect(Collectors.toSet());
    private volatile long usedAfterGc;
    /** The heap in use the last copy was allowed on ({@link #checkCopy}), for {@link #afterCopy}. */
    private volatile long copiedFrom;
    /** The last full collection's reading (live data only), and System.nanoTime() when it came. */
    private volatile long lastLive = -1;
    private volatile long lastLiveAt = System.nanoTime() - TimeUnit.DAYS.toNanos(1);
    /** System.nanoTime() at the last collection's notification. */
    private volatile long lastCollection = System.nanoTime();
    private volatile boolean refusing;
    /** Whether the last reading was above the limit (refusing, or suspected of counting garbage). */
    private volatile boolean aboveLimit;
    /** When young collections' readings first went above the limit without a reading under it since; NONE when not. */
    private volatile long suspectSince = NONE;
    /** A young reading above this refuses at once: a quarter of the room left above the limit (0.85 at 0.8). */
    private final double hardLimit;
    /** Whether a reading of live data (not only a young collection's) found the heap full since writes were refused. */
    private volatile boolean confirmedFull;
    /** Runs the confirming full collections; a daemon, so it never holds the process up. */
    private final ScheduledExecutorService confirmer = OwnedThreads.scheduler("asof-heap-confirm");
    /** Guarded by this: the pending confirmation, the earliest next one, and the spacing between them. */
    private ScheduledFuture<?> confirmation;
    private long nextConfirmation = System.nanoTime();
    private long confirmEvery = FIRST_CONFIRMATION;

    public HeapBudget(DatomicStore store, AsofConfig config, MeterRegistry registry) {
        this.store = store;
        this.limit = config.memory().refuseWritesAbove();
        this.hardLimit = hardLimit(limit);
        this.bytesPerEvent = config.memory().bytesPerEvent();
        for (GarbageCollectorMXBean collector : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (collector instanceof NotificationEmitter emitter) {
                emitter.addNotificationListener((notification, handback) -> {
                    if (GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(notification.getType())) {
                        afterCollection(GarbageCollectionNotificationInfo.from((CompositeData) notification.getUserData()));
                    }
                }, null, null);
            }
        }
        Gauge.builder("asof.heap.used.after.gc.ratio", this, HeapBudget::usedRatio)
                .description("Share of the maximum heap in use after the last garbage collection").register(registry);
        Gauge.builder("asof.heap.refusing.writes", this, budget -> budget.refusing ? 1 : 0)
                .description("1 while writes are refused because the heap is nearly full").register(registry);
    }

    private void afterCollection(GarbageCollectionNotificationInfo info) {
        long used = 0;
        for (Map.Entry<String, MemoryUsage> pool : info.getGcInfo().getMemoryUsageAfterGc().entrySet()) {
            if (heapPools.contains(pool.getKey())) {
                used += pool.getValue().getUsed();
            }
        }
        boolean live = !YOUNG.equals(info.getGcAction());
        usedAfterGc = used;
        if (live) {
            lastLive = used;
            lastLiveAt = System.nanoTime();
        }
        lastCollection = System.nanoTime();
        long now = lastCollection;
        boolean was = refusing;
        double ratio = usedRatio();
        boolean high = above(limit, was, ratio);
        boolean first = high && !live && suspectSince == NONE && !was;
        if (!high) {
            suspectSince = NONE;
        } else if (!live && suspectSince == NONE) {
            suspectSince = now;
        }
        aboveLimit = high;
        refusing = refuses(limit, was, live, ratio, suspectSince == NONE ? 0 : now - suspectSince);
        if (refusing && live && !confirmedFull) {
            LOG.errorf("The heap is nearly full (%s, live data): writes are refused until it has room again; give the"
                    + " service more heap (-Xmx, a larger dyno) or move to Datomic Pro storage", describe());
        } else if (refusing && !was) {
            LOG.warnf("The heap is nearly full (%s, after young collections, which still count garbage, for %d s): writes"
                    + " are refused until a collection finds room", describe(), TimeUnit.NANOSECONDS.toSeconds(now - suspectSince));
        } else if (first) {
            LOG.infof("The heap is above the limit after a young collection, which still counts garbage (%s): writes go on"
                    + " while the collector cleans the old generation; refused if it stays so for %d s or crosses %.0f%%",
                    describe(), TimeUnit.NANOSECONDS.toSeconds(SUSPECT_FOR), 100 * hardLimit);
        } else if (!refusing && was) {
            LOG.infof("The heap has room again (%s): writes are taken again", describe());
        }
        confirmedFull = refusing && (live || confirmedFull);
        confirmLater(high, live);
    }

    /** Whether a reading of {@code ratio} of the heap is above the limit: 5 points lower while refusing. */
    static boolean above(double limit, boolean refusing, double ratio) {
        return refusing ? ratio > limit - HYSTERESIS : ratio > limit;
    }

    /**
     * The rule of the class's second point: whether writes are refused after a reading of {@code ratio}
     * of the heap, {@code live} when a full collection made it, given whether they were refused before
     * and for how long (ns) young readings have been above the limit.
     */
    static boolean refuses(double limit, boolean refusing, boolean live, double ratio, long suspectedForNanos) {
        return above(limit, refusing, ratio)
                && (refusing || live || ratio > hardLimit(limit) || suspectedForNanos >= SUSPECT_FOR);
    }

    /** A young reading above this refuses at once: a quarter of the room left above the limit (0.85 at 0.8). */
    static double hardLimit(double limit) {
        return limit + (1 - limit) / 4;
    }

    /** While above the limit, schedules the next full collection (backing off while they confirm a full heap); else resets. */
    private synchronized void confirmLater(boolean high, boolean live) {
        if (!high) {
            confirmEvery = FIRST_CONFIRMATION;
            return;
        }
        if (live) {
            confirmEvery = Math.min(2 * confirmEvery, LAST_CONFIRMATION);
        }
        if (confirmation != null) {
            return;
        }
        long delay = Math.max(0, nextConfirmation - System.nanoTime());
        confirmation = confirmer.schedule(this::confirm, delay, TimeUnit.NANOSECONDS);
    }

    /**
     * One full collection, once the service is quiet: its reading (through {@link #afterCollection})
     * counts live data only and decides. While collections keep coming, their readings decide instead,
     * and this looks again when {@link #QUIET_SECONDS} have passed.
     */
    private void confirm() {
        long sinceLast = System.nanoTime() - lastCollection;
        synchronized (this) {
            if (sinceLast < QUIET) {
                confirmation = aboveLimit ? confirmer.schedule(this::confirm, QUIET - sinceLast, TimeUnit.NANOSECONDS) : null;
                return;
            }
            confirmation = null;
            nextConfirmation = System.nanoTime() + confirmEvery;
        }
        if (aboveLimit && !store.isSharedStorage()) {
            System.gc();
        }
    }

    /** True while writes must be refused: the heap in use after the last collection is above the limit (see the class's rules). */
    public boolean refusingWrites() {
        return refusing && !store.isSharedStorage();
    }

    public double usedRatio() {
        return maxHeap <= 0 ? 0 : (double) usedAfterGc / maxHeap;
    }

    /** The heap's state in words, for problems, logs and readiness data. */
    public String describe() {
        if (usedAfterGc == 0) {
            return String.format(Locale.ROOT, "no garbage collection yet; %d MB at most (writes refused above %.0f%%)",
                    maxHeap >> 20, 100 * limit);
        }
        return String.format(Locale.ROOT, "%d MB of %d MB in use after the last collection (%.0f%%; writes refused above %.0f%%)",
                usedAfterGc >> 20, maxHeap >> 20, 100 * usedRatio(), 100 * limit);
    }

    /**
     * Refuses a replay of {@code events} journaled events that the heap cannot hold: what it needs
     * is what is in use plus the events at the measured size each, within the write limit. What is in
     * use is confirmed by a full collection before it refuses ({@link #confirmed}).
     *
     * @throws IllegalStateException saying how much heap the journal needs
     */
    public void checkReplay(long events) {
        long inUse = confirmed(inUse(), used -> used + events * bytesPerEvent <= limit * maxHeap);
        long needed = inUse + events * bytesPerEvent;
        if (needed > limit * maxHeap) {
            long neededMax = (long) Math.ceil(needed / limit / (1 << 20));
            throw new IllegalStateException(String.format(Locale.ROOT, "The journal holds %,d events; replaying them"
                    + " needs about %d MB of heap in use (%d bytes an event, asof.memory.bytes-per-event), and this"
                    + " JVM may use %d MB, of which writes stop at %.0f%%. Start it with at least -Xmx%dm (JAVA_OPTS,"
                    + " or a larger dyno), or move to Datomic Pro storage. Start-up stops here rather than run out of"
                    + " memory half-way through the replay", events, needed >> 20, bytesPerEvent, maxHeap >> 20,
                    100 * limit, neededMax));
        }
    }

    /**
     * Refuses an erasure's copy of the embedded database ({@link DatomicStore#copyErasing}) that the
     * heap cannot hold beside the database it copies: the copy needs about as much again as what
     * is in use, and both stay until the copy is served ({@link #copyFits}). What is in use is
     * confirmed by a full collection before it refuses ({@link #confirmed}).
     *
     * @throws Refusal heap full (507), saying how much the copy needs; nothing was erased
     */
    public void checkCopy() {
        copiedFrom = checkCopy(inUse());
    }

    /**
     * After an erasure served its copy: the old database, now garbage, would make the next young
     * readings (which count it) refuse writes when the two together were above the write limit —
     * so then one full collection clears it at once. Call it once nothing on the calling thread holds
     * the old database.
     */
    public void afterCopy() {
        long before = copiedFrom;
        copiedFrom = 0;
        if (2 * before > limit * maxHeap && !store.isSharedStorage()) {
            System.gc();
        }
    }

    /** {@link #checkCopy()} after a reading of {@code lastReading} bytes in use; returns the bytes in use it decided on. */
    long checkCopy(long lastReading) {
        long inUse = confirmed(lastReading, used -> copyFits(used, maxHeap));
        if (!copyFits(inUse, maxHeap)) {
            throw new Refusal(Refusal.Reason.HEAP_FULL, "Not enough memory to erase", String.format(Locale.ROOT,
                    "An erasure copies the embedded database and needs about %d MB of heap beside the %d MB in use"
                            + " after a full collection; this JVM may use %d MB. Start it with a larger -Xmx (JAVA_OPTS)"
                            + " and ask again; nothing was erased", inUse >> 20, inUse >> 20, maxHeap >> 20));
        }
        return inUse;
    }

    /**
     * Whether a copy of what is in use ({@code inUse} bytes) fits beside it in a heap of {@code maxHeap}
     * bytes, a tenth kept for the requests in flight meanwhile.
     */
    static boolean copyFits(long inUse, long maxHeap) {
        return 2 * inUse <= 0.9 * maxHeap;
    }

    /**
     * The heap in use, in bytes, for a decision that refuses unless {@code fits} holds of it, after
     * a {@code reading} of it: {@link #confirmed(long, LongPredicate, long, Runnable, LongSupplier)} with
     * the last full collection's reading if it is at most {@value #RECENT_LIVE_SECONDS} s old, and
     * {@code System.gc()}. Replays and erasures are rare enough to pay for a full collection; writes
     * are not (they keep the class's rule).
     */
    private long confirmed(long reading, LongPredicate fits) {
        long recentLive = System.nanoTime() - lastLiveAt <= TimeUnit.SECONDS.toNanos(RECENT_LIVE_SECONDS) ? lastLive : -1;
        return confirmed(reading, fits, recentLive, System::gc,
                () -> ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
    }

    /**
     * The rule for a rare decision on the heap in use: a {@code reading} that {@code fits} stands.
     * One that does not may be a young collection's, which still counts the old generation's garbage
     * (the class's second point), or none at all (the heap now, garbage and all): a full collection's
     * reading decides instead — {@code recentLive} when one was taken lately (-1: none), else one
     * asked for now ({@code collect}, about a second per GB live, then {@code usedNow}), so that
     * requests repeated after a refusal do not stop the world each time. With
     * {@code -XX:+DisableExplicitGC} nothing is collected and the heap now counts garbage too: the
     * lower of the two readings is kept.
     */
    static long confirmed(long reading, LongPredicate fits, long recentLive, Runnable collect, LongSupplier usedNow) {
        if (fits.test(reading)) {
            return reading;
        }
        if (recentLive >= 0) {
            return recentLive;
        }
        collect.run();
        return Math.min(reading, usedNow.getAsLong());
    }

    /** The heap in use after the last collection, or now when none has run yet. */
    private long inUse() {
        Runtime runtime = Runtime.getRuntime();
        return usedAfterGc > 0 ? usedAfterGc : runtime.totalMemory() - runtime.freeMemory();
    }
}
