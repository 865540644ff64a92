package dev.asof.datomic;

import clojure.lang.Keyword;
import datomic.Database;
import datomic.Datom;
import datomic.Peer;
import dev.asof.http.Cursor;
import dev.asof.http.HistoryItem;
import dev.asof.http.Page;
import dev.asof.http.SystemTimeRange;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.BiFunction;

/**
 * One page of a subject's history that costs a page: the subject's events are read from the AVET
 * index of an event attribute ({@code :event/sku}, {@code :event/subject}), where one value's
 * events sort by entity id — and an entity's id carries the t of the transaction that created it,
 * so they sort by t. A page seeks to where its cursor (or the range's bound) stands, forwards or
 * backwards ({@code rseekDatoms}), reads transaction by transaction, and stops once the page is
 * full. Nothing is rebuilt: a history of 100,000 changes costs what a history of 10 does.
 *
 * <p>Each transaction's events are turned into items by the caller ({@code expand}), sorted by
 * position; the cursor is the position of the last item given, so a page never repeats or skips
 * an item, also while new transactions arrive (they sort after every earlier position).
 */
public final class EventHistory {
    /** The bits of an entity id below its partition: where the t of its creating transaction lives. */
    private static final long T_MASK = (1L << 42) - 1;

    private EventHistory() {
    }

    /**
     * @param expand a transaction's events of this subject (their datoms) and its t → the items they make
     */
    public static <T extends HistoryItem> Page<T> page(Database db, TxIndex index, Keyword attr, String value,
            SystemTimeRange range, String cursor, String kind, int limit,
            BiFunction<Long, List<Datom>, List<T>> expand) {
        List<String> after = Cursor.decode(cursor, kind, 1);
        String position = after == null ? null : after.get(0);
        long cursorT = position == null ? -1 : parseT(position);
        long lo = Math.max(range.lowestT(index), range.descending() ? 0 : Math.max(cursorT, 0));
        long hi = Math.min(range.highestT(index, db.basisT()), range.descending() && cursorT >= 0 ? cursorT : Long.MAX_VALUE);
        Comparator<T> order = Comparator.comparing(HistoryItem::position);
        if (range.descending()) {
            order = order.reversed();
        }
        List<T> items = new ArrayList<>(Math.min(limit + 1, 128));
        Iterable<Datom> datoms = range.descending()
                ? db.rseekDatoms(Database.AVET, attr, value, entityBound(db, attr, value, index.firstAfterT(hi)))
                : db.seekDatoms(Database.AVET, attr, value, entityBound(db, attr, value, lo));
        List<Datom> group = new ArrayList<>();
        long groupT = -1;
        for (Datom datom : datoms) {
            if (!value.equals(datom.v()) || !attr.equals(db.ident(datom.a()))) {
                break;
            }
            long t = Peer.toT(datom.tx());
            if (t < lo || t > hi) {
                if (range.descending() ? t < lo : t > hi) {
                    break;
                }
                continue;
            }
            if (t != groupT && !group.isEmpty()) {
                if (add(items, expand.apply(groupT, group), order, position, range, limit)) {
                    return Page.of(items, limit, HistoryItem::position, kind);
                }
                group.clear();
            }
            groupT = t;
            group.add(datom);
        }
        if (!group.isEmpty()) {
            add(items, expand.apply(groupT, group), order, position, range, limit);
        }
        return Page.of(items, limit, HistoryItem::position, kind);
    }

    /** Adds one transaction's items in page order, past the cursor; true once the page (and one more) is full. */
    private static <T extends HistoryItem> boolean add(List<T> items, List<T> made, Comparator<T> order, String position,
            SystemTimeRange range, int limit) {
        List<T> sorted = new ArrayList<>(made);
        sorted.sort(order);
        for (T item : sorted) {
            if (position != null && (range.descending() ? item.position().compareTo(position) >= 0
                    : item.position().compareTo(position) <= 0)) {
                continue;
            }
            if (!range.contains(item.t(), item.txInstant())) {
                continue;
            }
            items.add(item);
            if (items.size() > limit) {
                return true;
            }
        }
        return false;
    }

    /**
     * The smallest entity id a transaction at {@code t} could create, in the partition of this
     * subject's events (the partition of any of them; the subject has none: anything will do).
     */
    private static long entityBound(Database db, Keyword attr, String value, long t) {
        for (Datom datom : db.datoms(Database.AVET, attr, value)) {
            long e = (Long) datom.e();
            return (e & ~T_MASK) | Math.min(Math.max(t, 0), T_MASK);
        }
        return 0;
    }

    /** The t a position starts with (positions begin with t as 19 digits). */
    private static long parseT(String position) {
        try {
            return Long.parseLong(position.substring(0, 19));
        } catch (RuntimeException e) {
            throw dev.asof.http.ProblemException.badRequest("Parameter cursor is not a cursor this endpoint issued; "
                    + "pass the value of a previous page's next link unchanged", null);
        }
    }
}
