package dev.asof.datomic;

import datomic.Database;
import dev.asof.core.Refusal;
import dev.asof.core.AsOf;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;

/**
 * Resolves "which database value" once per request: now, as of a t, or as of an instant; and,
 * through {@link Settledness}, whether the answer is settled (can never change).
 */
@ApplicationScoped
public class TimeTravel {
    private final DatomicStore store;
    private final TxClock clock;
    private final Settledness settledness;

    public TimeTravel(DatomicStore store, TxClock clock, Settledness settledness) {
        this.store = store;
        this.clock = clock;
        this.settledness = settledness;
    }

    /**
     * The database value to read. {@code t} is the point it stands at (the basis for "now"),
     * {@code instant} the system-time instant it represents (the default valid time), and
     * {@code settled} whether the answer is immutable.
     */
    public record Basis(Database db, long t, Instant instant, boolean settled, long basisT) {
    }

    public Basis resolve(AsOf asOf) {
        return resolve(asOf, "asOf");
    }

    /** As {@link #resolve(AsOf)}, for the point parameter {@code name} (a refusal names it). */
    public Basis resolve(AsOf asOf, String name) {
        Settledness.Proof proof = settledness.proof(asOf); // before the database value it vouches for
        Database now = asOf instanceof AsOf.AtT at ? store.reaching(at.t(), name) : store.db();
        long basis = now.basisT();
        if (asOf == null) {
            return new Basis(now, basis, clock.now(), false, basis);
        }
        if (asOf instanceof AsOf.AtT at) {
            TxIndex.Tx last = lastAtOrBefore(now, at.t());
            Instant instant = last == null ? Instant.EPOCH : Instant.ofEpochMilli(last.instantMillis());
            return new Basis(now.asOf(at.t()), at.t(), instant, proof.settles(asOf, now), basis);
        }
        Instant instant = ((AsOf.AtInstant) asOf).instant();
        if (instant.isAfter(clock.now()) && !proof.settles(asOf, now)) {
            throw Refusal.invalid(name + " " + instant + " lies beyond the database basis (t=" + basis
                    + ", recorded " + Facts.txInstant(now, basis) + "); ask for a point at or before it", null);
        }
        TxIndex.Tx last = store.txIndex().atOrBeforeInstant(instant.toEpochMilli());
        long t = last == null ? 0 : Math.min(last.t(), basis);
        return new Basis(now.asOf(t), t, instant, proof.settles(asOf, now), basis);
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
}
