package dev.asof.http;

import java.time.Instant;
import java.util.Comparator;
import java.util.List;

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
            throw ProblemException.badRequest("Parameter order must be asc or desc", null);
        }
        return new SystemTimeRange(AsOf.parse("from", from), AsOf.parse("to", to), descending);
    }

    /**
     * One page of a history: {@code changes} in this range's order, within its bounds, after the
     * cursor's position, at most {@code limit}.
     */
    public <T extends HistoryItem> Page<T> page(List<T> changes, String cursor, String kind, int limit) {
        Comparator<T> order = Comparator.comparing(HistoryItem::position);
        List<String> after = Cursor.decode(cursor, kind, 1);
        List<T> selected = changes.stream()
                .filter(c -> contains(c.t(), c.txInstant()))
                .filter(c -> after == null || after(c.position(), after.get(0)))
                .sorted(descending ? order.reversed() : order)
                .toList();
        return Page.of(selected, limit, HistoryItem::position, kind);
    }

    boolean contains(long t, Instant txInstant) {
        return !before(t, txInstant, from) && (to == null || before(t, txInstant, to));
    }

    /** Whether {@code position} comes after the cursor's position in this range's order. */
    private boolean after(String position, String cursor) {
        int cmp = position.compareTo(cursor);
        return descending ? cmp < 0 : cmp > 0;
    }

    private static boolean before(long t, Instant txInstant, AsOf bound) {
        if (bound == null) {
            return false;
        }
        return bound instanceof AsOf.AtT at ? t < at.t() : txInstant.isBefore(((AsOf.AtInstant) bound).instant());
    }
}
