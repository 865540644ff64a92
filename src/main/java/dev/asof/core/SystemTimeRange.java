package dev.asof.core;

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
