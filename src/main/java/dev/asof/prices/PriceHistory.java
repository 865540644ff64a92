package dev.asof.prices;

import datomic.Database;
import datomic.Datom;
import datomic.Entity;
import datomic.Peer;
import dev.asof.config.AsofConfig;
import dev.asof.core.Refusal;
import dev.asof.datomic.Answer;
import dev.asof.datomic.Attr;
import dev.asof.datomic.DatomicStore;
import dev.asof.datomic.EventHistory;
import datomic.Util;
import dev.asof.datomic.Facts;
import dev.asof.datomic.PriceKeys;
import dev.asof.datomic.PriceVersion;
import dev.asof.datomic.ValidTime;
import dev.asof.datomic.TimeTravel;
import dev.asof.datomic.TimeTravel.Basis;
import dev.asof.core.AsOf;
import dev.asof.core.Cursor;
import dev.asof.core.Page;
import dev.asof.core.SystemTimeRange;
import jakarta.enterprise.context.ApplicationScoped;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Answers price questions from one database value. A SKU's versions are entities keyed
 * {@code sku@effectiveAt}; the AVET index keeps them in valid-time order, so the version in force
 * at a moment is the last key at or before it.
 */
@ApplicationScoped
public class PriceHistory {
    private final TimeTravel time;
    private final DatomicStore store;
    private final int scan;

    public PriceHistory(TimeTravel time, DatomicStore store, AsofConfig config) {
        this.time = time;
        this.store = store;
        this.scan = config.reads().scan();
    }

    /** The price of {@code sku} in force at {@code validAt} (default: the instant of asOf, or now), as known at {@code asOf}. */
    public Answer<PriceView> at(String sku, AsOf asOf, Instant validAt) {
        Basis basis = time.resolve(asOf);
        Instant valid = validAt != null ? validAt : basis.instant();
        PriceVersion version = ValidTime.inForce(basis.db(), sku, valid.toEpochMilli());
        if (version == null) {
            throw Refusal.notFound("No price for SKU " + sku + " is in force at " + valid
                    + " as known at t=" + basis.t());
        }
        if (version.ended()) {
            throw ended(basis, sku, valid, version);
        }
        return new Answer<>(view(basis, sku, valid, version), basis);
    }

    /**
     * Every SKU's price at that point, in SKU order, after the cursor's SKU; only SKUs that start
     * with {@code prefix} (the explorer's suggestions), read from the index where they start.
     *
     * <p>A page examines at most {@code limit} + asof.reads.scan SKUs, one seek each however
     * many versions a SKU has: when SKUs have no price in force there (a point before every price),
     * the page ends early, short or empty, with a cursor after the last SKU it examined. A page
     * costs a page, never the whole index.
     */
    public Answer<Page<PriceView>> all(AsOf asOf, Instant validAt, String prefix, int limit, String cursor) {
        Basis basis = time.resolve(asOf);
        Database db = basis.db();
        Instant valid = validAt != null ? validAt : basis.instant();
        List<String> after = Cursor.decode(cursor, "prices", 1);
        int examine = limit + scan;
        List<PriceView> items = new ArrayList<>(Math.min(limit, 64));
        String last = null;
        int examined = 0;
        for (String sku : skus(db, after == null ? null : after.get(0), prefix)) {
            if (examined == examine) {
                // Out of budget: resume after the last SKU examined (or, if the page is full, after its last item).
                return new Answer<>(new Page<>(items, Cursor.encode("prices", last), true), basis);
            }
            examined++;
            PriceView view = inForce(basis, sku, valid);
            if (view != null) {
                if (items.size() == limit) {
                    return new Answer<>(new Page<>(items, Cursor.encode("prices", items.get(limit - 1).sku())), basis);
                }
                items.add(view);
            }
            last = sku;
        }
        return new Answer<>(new Page<>(items, null), basis);
    }

    /**
     * The whole price list at that point, for an export: resolved here, once, and read item by item
     * when {@link PriceList#forEach} is called — at that one database value, however long it takes.
     */
    public PriceList list(AsOf asOf, Instant validAt, String prefix) {
        Basis basis = time.resolve(asOf);
        return new PriceList(basis, validAt != null ? validAt : basis.instant(), prefix);
    }

    /** Every SKU's price in force at {@code validAt} as {@code basis} knows it, of SKUs that start with {@code prefix}. */
    public record PriceList(Basis basis, Instant validAt, String prefix) {

        /** Each price in SKU order: one seek a SKU, as a page reads them, and nothing held but the one at hand. */
        public void forEach(java.util.function.Consumer<PriceView> each) {
            for (String sku : skus(basis.db(), null, prefix)) {
                PriceView view = inForce(basis, sku, validAt);
                if (view != null) {
                    each.accept(view);
                }
            }
        }
    }

    /**
     * The SKUs of {@code db} after {@code after} (null: from the first) that start with
     * {@code prefix}, in order, read as they are iterated: one seek a SKU, however many versions
     * it has. The one walk of the SKU index (list pages, exports, a diff past its read budget).
     */
    static Iterable<String> skus(Database db, String after, String prefix) {
        String from = after == null ? prefix : after + "\u0000";
        String start = from.compareTo(prefix) > 0 ? from : prefix;
        return () -> new java.util.Iterator<>() {
            private String next = firstSku(db, start, prefix);

            @Override
            public boolean hasNext() {
                return next != null;
            }

            @Override
            public String next() {
                if (next == null) {
                    throw new java.util.NoSuchElementException();
                }
                String sku = next;
                next = firstSku(db, sku + "\u0000", prefix); // past every version of this SKU
                return sku;
            }
        };
    }

    /** The kind of a SKU's history cursors (they are of one lineage). */
    String historyKind() {
        return "price-history@" + store.lineage();
    }

    /** The first SKU at or after {@code from} that starts with {@code prefix}, or null. */
    private static String firstSku(Database db, String from, String prefix) {
        for (Datom datom : db.seekDatoms(Database.AVET, Attr.PRICE_SKU, from)) {
            if (!Attr.PRICE_SKU.equals(db.ident(datom.a()))) {
                return null;
            }
            String sku = (String) datom.v();
            return sku.startsWith(prefix) ? sku : null;
        }
        return null;
    }

    /**
     * Every recorded fact about the SKU's prices within {@code range}, in {@code range}'s order: for
     * each event that changed a version, the state it replaced ("retract", when there was one) and
     * the new ("assert"); for a withdrawal, the state withdrawn ("withdraw"). One page is read from the SKU's events in t order
     * ({@link EventHistory}), never the whole history. Events that changed nothing are not in that
     * index, but for those recorded before they left it: a page reads at most {@code limit} +
     * asof.reads.scan events, so a page after many of those may be short, or empty, and carry a
     * next cursor.
     */
    public Answer<Page<PriceChange>> history(String sku, SystemTimeRange range, int limit, String cursor) {
        Basis basis = time.resolve(null);
        Database db = basis.db();
        Page<PriceChange> page = EventHistory.page(db, store.txIndex(), Attr.EVENT_SKU, sku, range, cursor,
                historyKind(), limit, scan, (t, event) -> changes(db, t, event));
        return new Answer<>(page, basis);
    }

    /**
     * What one event did to its version: the state it replaced retracted (if any) and the new one
     * asserted; or, for a withdrawal, the state withdrawn. Nothing for an event that changed nothing
     * (recorded in the index before such events left it).
     */
    static List<PriceChange> changes(Database db, long t, Datom datom) {
        Instant txInstant = Facts.txInstant(db, t);
        long event = (Long) datom.e();
        Entity recorded = db.entity(event);
        String key = Facts.subject(recorded).substring("price:".length());
        UUID eventId = (UUID) recorded.get(Attr.EVENT_ID);
        // Resolved on the newest value: a lookup on an asOf value filters the whole index, an
        // entity's facts on it only that entity's.
        Object version = db.entid(Util.list(Attr.PRICE_KEY, key));
        PriceVersion before = PriceVersion.of(db.asOf(t - 1), version);
        PriceVersion after = PriceVersion.of(db.asOf(t), version);
        List<PriceChange> changes = new ArrayList<>(2);
        if (!after.exists()) {
            if (before.exists()) {
                changes.add(PriceChange.of(t, txInstant, before, "withdraw", eventId, event));
            }
            return changes;
        }
        if (before.exists()) {
            if (before.sameAs(after)) {
                return changes;
            }
            changes.add(PriceChange.of(t, txInstant, before, "retract", eventId, event));
        }
        changes.add(PriceChange.of(t, txInstant, after, "assert", eventId, event));
        return changes;
    }

    /** The price in force, or null when none is or an end is ({@link ValidTime}). */
    static PriceView inForce(Basis basis, String sku, Instant validAt) {
        PriceVersion version = ValidTime.inForce(basis.db(), sku, validAt.toEpochMilli());
        return version == null || version.ended() ? null : view(basis, sku, validAt, version);
    }

    private static PriceView view(Basis basis, String sku, Instant validAt, PriceVersion version) {
        long t = Peer.toT(version.lastTx());
        return new PriceView(sku, version.amount(), version.currency(), version.start(), version.until(),
                t, Facts.txInstant(basis.db(), t), basis.t(), basis.instant(), validAt);
    }

    /**
     * The 404 of a valid time inside an end: when the end starts (and stops, for a period), and
     * the event that recorded it — the SKU's event of the end's start in the transaction that made
     * the version an end.
     */
    private static Refusal ended(Basis basis, String sku, Instant validAt, PriceVersion end) {
        Database db = basis.db();
        long t = Peer.toT(end.lastTx());
        UUID eventId = EventHistory.eventAt(db, Attr.EVENT_SKU, sku, t,
                event -> end.effectiveAt().equals(db.entity(event).get(Attr.EVENT_EFFECTIVE_AT)));
        String span = end.isPeriod() ? "from " + end.start() + " until " + end.until() : "from " + end.start();
        // With several writers (Datomic Pro) the event may be one the index cannot tell: the t still says when.
        String by = eventId == null ? "ended at t=" + t : "ended by event " + eventId + ", t=" + t;
        return new Refusal(Refusal.Reason.NOT_FOUND, "Price ended", "SKU " + sku + " has no price " + span
                + " (" + by + "): none is in force at " + validAt + " as known at t=" + basis.t());
    }
}
