package dev.asof.http;

import dev.asof.core.Refusal;
import java.time.Instant;

/**
 * The system-time bounds and order of a history request: {@code from} inclusive, {@code to}
 * exclusive, each a t or an instant; {@code order} asc (default) or desc by t.
 */
public record SystemTimeRange(AsOf from, AsOf to, boolean descending) {

    public static SystemTimeRange parse(String from, String to, String order) {
        boolean descending;
        if (order == null || order.isEmpty() || "asc".equals(order)) {
            descending = false;
        } else if ("desc".equals(order)) {
            descending = true;
        } else {
            throw Refusal.invalid("Parameter order must be asc or desc", null);
        }
        return new SystemTimeRange(AsOf.parse("from", from), AsOf.parse("to", to), descending);
    }

    /** The lowest t this range can hold (its {@code from}, as a t), found in {@code index} for an instant. */
    public long lowestT(dev.asof.datomic.TxIndex index) {
        if (from == null) {
            return 0;
        }
        if (from instanceof AsOf.AtT at) {
            return at.t();
        }
        dev.asof.datomic.TxIndex.Tx before = index.atOrBeforeInstant(((AsOf.AtInstant) from).instant().toEpochMilli() - 1);
        return before == null ? 0 : before.t() + 1;
    }

    /** The highest t this range can hold ({@code to} is exclusive), at most {@code basis}. */
    public long highestT(dev.asof.datomic.TxIndex index, long basis) {
        if (to == null) {
            return basis;
        }
        if (to instanceof AsOf.AtT at) {
            return Math.min(basis, at.t() - 1);
        }
        dev.asof.datomic.TxIndex.Tx before = index.atOrBeforeInstant(((AsOf.AtInstant) to).instant().toEpochMilli() - 1);
        return before == null ? -1 : Math.min(basis, before.t());
    }

    public boolean contains(long t, Instant txInstant) {
        return !before(t, txInstant, from) && (to == null || before(t, txInstant, to));
    }

    private static boolean before(long t, Instant txInstant, AsOf bound) {
        if (bound == null) {
            return false;
        }
        return bound instanceof AsOf.AtT at ? t < at.t() : txInstant.isBefore(((AsOf.AtInstant) bound).instant());
    }
}
