package dev.asof.datomic;

import datomic.Database;
import dev.asof.http.AsOf;
import dev.asof.http.ProblemException;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;

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
            TxIndex.Tx last = lastAtOrBefore(now, at.t());
            Instant instant = last == null ? Instant.EPOCH : Instant.ofEpochMilli(last.instantMillis());
            return new Basis(now.asOf(at.t()), at.t(), instant, true, basis);
        }
        Instant instant = ((AsOf.AtInstant) asOf).instant();
        Instant clock = Instant.now();
        if (instant.isAfter(clock)) {
            throw beyond(instant.toString(), now, basis);
        }
        TxIndex.Tx last = store.txIndex().atOrBeforeInstant(instant.toEpochMilli());
        long t = last == null ? 0 : Math.min(last.t(), basis);
        return new Basis(now.asOf(t), t, instant, instant.isBefore(clock.minus(SETTLE)), basis);
    }

    /**
     * The last transaction at or before {@code t}. The index may lag the database value by the
     * transaction that just landed, so the basis itself is answered from the database.
     */
    private TxIndex.Tx lastAtOrBefore(Database now, long t) {
        if (t >= now.basisT()) {
            return new TxIndex.Tx(now.basisT(), Facts.txInstant(now, now.basisT()).toEpochMilli());
        }
        return store.txIndex().atOrBeforeT(t);
    }

    private static ProblemException beyond(String asked, Database now, long basis) {
        return ProblemException.badRequest("asOf " + asked + " lies beyond the database basis (t=" + basis
                + ", recorded " + Facts.txInstant(now, basis) + "); ask for a point at or before it", null);
    }
}
