package dev.asof.datomic;

import datomic.Database;
import datomic.Log;
import dev.asof.http.AsOf;
import dev.asof.http.ProblemException;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Map;

/**
 * Resolves "which database value" once per request: now, as of a t, or as of an instant, and
 * whether the answer is settled (can never change, so it may be cached forever).
 */
@ApplicationScoped
public class TimeTravel {
    /** A commit stamped just before "now" may still be landing; instants older than this are settled. */
    private static final Duration SETTLE = Duration.ofSeconds(2);

    private final DatomicStore store;

    public TimeTravel(DatomicStore store) {
        this.store = store;
    }

    /**
     * The database value to read. {@code t} is the point it stands at (the basis for "now"),
     * {@code instant} the system-time instant it represents (the default valid time), and
     * {@code settled} whether the answer is immutable.
     */
    public record Basis(Database db, long t, Instant instant, boolean settled, long basisT) {
        public boolean isNow() {
            return !settled && t == basisT;
        }
    }

    public Basis resolve(AsOf asOf) {
        Database now = store.db();
        long basis = now.basisT();
        if (asOf == null) {
            return new Basis(now, basis, Instant.now(), false, basis);
        }
        if (asOf instanceof AsOf.AtT at) {
            if (at.t() > basis) {
                throw beyond("t=" + at.t(), now, basis);
            }
            Tx last = lastTx(now, at.t() + 1, 1);
            Instant instant = last == null ? Instant.EPOCH : last.instant();
            return new Basis(now.asOf(at.t()), at.t(), instant, true, basis);
        }
        Instant instant = ((AsOf.AtInstant) asOf).instant();
        Instant clock = Instant.now();
        if (instant.isAfter(clock)) {
            throw beyond(instant.toString(), now, basis);
        }
        Tx last = lastTx(now, new Date(instant.toEpochMilli() + 1), Duration.ofSeconds(1).toMillis());
        long t = last == null ? 0 : last.t();
        return new Basis(now.asOf(t), t, instant, instant.isBefore(clock.minus(SETTLE)), basis);
    }

    private record Tx(long t, Instant instant) {
    }

    /**
     * The last transaction before {@code end} (a t or a Date, exclusive), found by reading the Log
     * backwards in growing windows, so a recent point costs a short read.
     */
    private Tx lastTx(Database db, Object end, long firstWindow) {
        Log log = store.connection().log();
        boolean byDate = end instanceof Date;
        long to = byDate ? ((Date) end).getTime() : (Long) end;
        for (long window = firstWindow; ; window *= 16) {
            long from = Math.max(0, to - window);
            Object start = byDate ? new Date(from) : (Object) from;
            Map<?, ?> last = null;
            for (Object tx : log.txRange(start, end)) {
                last = (Map<?, ?>) tx;
            }
            if (last != null) {
                long t = ((Number) last.get(Log.T)).longValue();
                return new Tx(t, Facts.txInstant(db, t));
            }
            if (from == 0) {
                return null;
            }
        }
    }

    private static ProblemException beyond(String asked, Database now, long basis) {
        return ProblemException.badRequest("asOf " + asked + " lies beyond the database basis (t=" + basis
                + ", recorded " + Facts.txInstant(now, basis) + "); ask for a point at or before it", null);
    }
}
