package dev.asof.datomic;

import clojure.lang.Keyword;
import datomic.Database;
import datomic.Datom;
import datomic.Peer;
import dev.asof.core.AsOf;
import dev.asof.core.Cursor;
import dev.asof.core.HistoryItem;
import dev.asof.core.Page;
import dev.asof.core.SystemTimeRange;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.BiFunction;

/**
 * One page of a subject's history that costs a page: the subject's events are read from the AVET
 * index of an event attribute ({@code :event/sku}, {@code :event/subject}), where one value's
 * events sort by entity id — and an entity's id carries the t of the transaction that created it,
 * so they sort by t, and within a transaction in the order they were sent. A page seeks to the
 * event its cursor names (or the range's bound), forwards or backwards ({@code rseekDatoms}),
 * reads event by event, and stops once the page is full — also in the middle of a transaction
 * that holds a thousand versions of the subject. Nothing is rebuilt: the seek walks down the index
 * (logarithmic in its size), and then a page reads the events its items come from (and the one
 * after, to know that a page follows), whatever the history's length, plus at most {@code scan}
 * that make none (below). What turning an event into items costs is the caller's ({@code expand}):
 * it reads the changed entity as of the event's t, which filters that entity's own facts, so an
 * entity changed many times (a customer, a price version corrected again and again) costs more per event.
 *
 * <p>Events that change nothing (the same values sent again under a new id) are recorded out of
 * this index ({@code :event/unchangedSku}, {@code :event/unchangedSubject}: the writer tells
 * them, {@code dev.asof.events.TxData}), so pages never read them. Those recorded before that
 * rule (a journal replays its transaction data as it was), or by a peer that shares its storage
 * with others (which cannot tell), are in the index and are only known for what they are once
 * read: they make no items, a page reads at most {@code limit} + {@code scan} events, and one that
 * reaches that bound ends early, short or empty, with a cursor past the last event it read. A run
 * of 10,000 of those costs ten bounded pages, not one unbounded one.
 *
 * <p>Each event is turned into items by the caller ({@code expand}), sorted by position; a
 * position starts with the t and the event's entity id ({@link #position}), and the cursor is the
 * position of the last item given (or just past the last event read), so a page never repeats or
 * skips an item, also while new transactions arrive (they sort after every earlier position).
 */
public final class EventHistory {
    /** The bits of an entity id below its partition: where the t of its creating transaction lives. */
    private static final long T_MASK = (1L << 42) - 1;

    /** Sorts after every item position of an event (they go on with '.'): a cursor just past all of them. */
    private static final String PAST_ITEMS = "~";

    private EventHistory() {
    }

    /** The start of the position of an event's items: its t, then its entity id, fixed width, so that text order is history order. */
    public static String position(long t, long event) {
        return String.format("%019d.%019d", t, event);
    }

    /**
     * @param scan how many events a page may read beyond {@code limit} (asof.reads.scan)
     * @param expand an event of this subject (its datom) and its t → the items it makes
     */
    public static <T extends HistoryItem> Page<T> page(Database db, TxIndex index, Keyword attr, String value,
            SystemTimeRange range, String cursor, String kind, int limit, int scan,
            BiFunction<Long, Datom, List<T>> expand) {
        List<String> after = Cursor.decode(cursor, kind, 1);
        String position = after == null ? null : after.get(0);
        long cursorT = position == null ? -1 : parseT(position);
        long cursorEvent = position == null ? -1 : parseEvent(position);
        long lo = Math.max(lowestT(range, index), range.descending() ? 0 : Math.max(cursorT, 0));
        long hi = Math.min(highestT(range, index, db.basisT()), range.descending() && cursorT >= 0 ? cursorT : Long.MAX_VALUE);
        Comparator<T> order = Comparator.comparing(HistoryItem::position);
        if (range.descending()) {
            order = order.reversed();
        }
        List<T> items = new ArrayList<>(Math.min(limit + 1, 128));
        Datom previous = null;
        // From the cursor's event (its items up to the cursor are passed by below), else the range's bound.
        long start = position != null ? cursorEvent
                : entityBound(db, attr, value, range.descending() ? index.firstAfterT(hi) : lo);
        Iterable<Datom> datoms = range.descending()
                ? db.rseekDatoms(Database.AVET, attr, value, start)
                : db.seekDatoms(Database.AVET, attr, value, start);
        long read = 0;
        for (Datom datom : datoms) {
            if (!value.equals(datom.v()) || !attr.equals(db.ident(datom.a()))) {
                break;
            }
            long t = Peer.toT(datom.tx());
            if (read++ == (long) limit + scan) {
                // Out of budget: resume past the last event read (its items, if any, are in this page).
                Datom last = previous;
                return last == null ? new Page<>(items, null) : new Page<>(items, Cursor.encode(kind,
                        position(Peer.toT(last.tx()), (Long) last.e()) + (range.descending() ? "" : PAST_ITEMS)), true);
            }
            previous = datom;
            if (t < lo || t > hi) {
                if (range.descending() ? t < lo : t > hi) {
                    break;
                }
                continue;
            }
            if (add(items, expand.apply(t, datom), order, position, range, limit)) {
                break;
            }
        }
        return Page.of(items, limit, HistoryItem::position, kind);
    }

    /** The lowest t {@code range} can hold (its {@code from}, as a t), found in {@code index} for an instant. */
    private static long lowestT(SystemTimeRange range, TxIndex index) {
        if (range.from() == null) {
            return 0;
        }
        if (range.from() instanceof AsOf.AtT at) {
            return at.t();
        }
        TxIndex.Tx before = index.atOrBeforeInstant(ceilingMillis(((AsOf.AtInstant) range.from()).instant()) - 1);
        return before == null ? 0 : before.t() + 1;
    }

    /** The highest t {@code range} can hold ({@code to} is exclusive), at most {@code basis}. */
    private static long highestT(SystemTimeRange range, TxIndex index, long basis) {
        if (range.to() == null) {
            return basis;
        }
        if (range.to() instanceof AsOf.AtT at) {
            return Math.min(basis, at.t() - 1);
        }
        TxIndex.Tx before = index.atOrBeforeInstant(ceilingMillis(((AsOf.AtInstant) range.to()).instant()) - 1);
        return before == null ? -1 : Math.min(basis, before.t());
    }

    /**
     * The first whole millisecond at or after {@code instant}: transaction instants are whole
     * milliseconds, so one lies before {@code instant} exactly when it lies before this (a bound
     * of …50.0915 keeps a transaction at …50.091; truncating it would drop it).
     */
    static long ceilingMillis(java.time.Instant instant) {
        return instant.toEpochMilli() + (instant.getNano() % 1_000_000 == 0 ? 0 : 1);
    }

    /** Adds one event's items in page order, past the cursor; true once the page (and one more) is full. */
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
     * The id of the event of {@code value} (under {@code attr}) recorded in the transaction at
     * {@code t} that {@code matches} accepts (given its entity), or null: a seek to the events
     * created at {@code t}, reading only those.
     */
    public static java.util.UUID eventAt(Database db, Keyword attr, String value, long t,
            java.util.function.LongPredicate matches) {
        long tx = ((Number) Peer.toTx(t)).longValue();
        for (Datom datom : db.seekDatoms(Database.AVET, attr, value, entityBound(db, attr, value, t))) {
            if (!value.equals(datom.v()) || !attr.equals(db.ident(datom.a())) || (Long) datom.tx() > tx) {
                break;
            }
            if ((Long) datom.tx() == tx && matches.test((Long) datom.e())) {
                return (java.util.UUID) db.entity(datom.e()).get(Attr.EVENT_ID);
            }
        }
        return null;
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
        return parseDigits(position, 0);
    }

    /** The event's entity id, the 19 digits after the t. */
    private static long parseEvent(String position) {
        return parseDigits(position, 20);
    }

    private static long parseDigits(String position, int from) {
        if (position.length() < from + 19 || (from > 0 && position.charAt(from - 1) != '.')) {
            throw Cursor.invalid();
        }
        return Cursor.number(position.substring(from, from + 19));
    }
}
