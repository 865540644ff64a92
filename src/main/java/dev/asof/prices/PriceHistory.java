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
        PriceView view = inForce(basis, sku, valid);
        if (view == null) {
            throw Refusal.notFound("No price for SKU " + sku + " is in force at " + valid
                    + " as known at t=" + basis.t());
        }
        return new Answer<>(view, basis);
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
        String afterCursor = after == null ? "" : after.get(0) + "\u0000";
        String seek = afterCursor.compareTo(prefix) > 0 ? afterCursor : prefix;
        int examine = limit + scan;
        List<PriceView> items = new ArrayList<>(Math.min(limit, 64));
        String last = null;
        for (int examined = 0; ; examined++) {
            String sku = firstSku(db, seek, prefix);
            if (sku == null) {
                return new Answer<>(new Page<>(items, null), basis);
            }
            if (examined == examine) {
                // Out of budget: resume after the last SKU examined (or, if the page is full, after its last item).
                return new Answer<>(new Page<>(items, Cursor.encode("prices", last), true), basis);
            }
            PriceView view = inForce(basis, sku, valid);
            if (view != null) {
                if (items.size() == limit) {
                    return new Answer<>(new Page<>(items, Cursor.encode("prices", items.get(limit - 1).sku())), basis);
                }
                items.add(view);
            }
            last = sku;
            seek = sku + "\u0000"; // past every version of this SKU: one seek a SKU, not one step a version
        }
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
     * each event that changed a version, the retraction of its old amount and currency (when it had
     * some) and the assertion of the new. One page is read from the SKU's events in t order
     * ({@link EventHistory}), never the whole history. Events that changed nothing are not in that
     * index, but for those recorded before they left it: a page reads at most {@code limit} +
     * asof.reads.scan events, so a page after many of those may be short, or empty, and carry a
     * next cursor.
     */
    public Answer<Page<PriceChange>> history(String sku, SystemTimeRange range, int limit, String cursor) {
        Basis basis = time.resolve(null);
        Database db = basis.db();
        Page<PriceChange> page = EventHistory.page(db, store.txIndex(), Attr.EVENT_SKU, sku, range, cursor,
                "price-history@" + store.lineage(), limit, scan, (t, event) -> changes(db, t, event));
        return new Answer<>(page, basis);
    }

    /** What one event did to the SKU's versions: the old amount and currency retracted (if any), the new asserted. */
    private static List<PriceChange> changes(Database db, long t, Datom datom) {
        Database before = db.asOf(t - 1);
        Database after = db.asOf(t);
        Instant txInstant = Facts.txInstant(db, t);
        List<PriceChange> changes = new ArrayList<>(2);
        Long event = (Long) datom.e();
        Entity recorded = db.entity(event);
        String key = Facts.subject(recorded).substring("price:".length());
        UUID eventId = (UUID) recorded.get(Attr.EVENT_ID);
        // Resolved on the newest value: a lookup on an asOf value filters the whole index, an
        // entity on it only that entity's facts.
        Object version = db.entid(Util.list(Attr.PRICE_KEY, key));
        Entity now = after.entity(version);
        Entity then = before.entity(version).get(Attr.PRICE_AMOUNT) == null ? null : before.entity(version);
        BigDecimal amount = (BigDecimal) now.get(Attr.PRICE_AMOUNT);
        String currency = (String) now.get(Attr.PRICE_CURRENCY);
        Instant effectiveAt = ((Date) now.get(Attr.PRICE_EFFECTIVE_AT)).toInstant();
        if (then != null) {
            BigDecimal oldAmount = (BigDecimal) then.get(Attr.PRICE_AMOUNT);
            String oldCurrency = (String) then.get(Attr.PRICE_CURRENCY);
            if (oldAmount.equals(amount) && oldCurrency.equals(currency)) {
                return changes; // the same values again, recorded in the index before such events left it
            }
            changes.add(new PriceChange(t, txInstant, effectiveAt, oldAmount, oldCurrency, "retract", eventId, event));
        }
        changes.add(new PriceChange(t, txInstant, effectiveAt, amount, currency, "assert", eventId, event));
        return changes;
    }

    static PriceView inForce(Basis basis, String sku, Instant validAt) {
        Database db = basis.db();
        Object last = lastVersionBefore(db, sku + "@", PriceKeys.of(sku, validAt.toEpochMilli() + 1));
        if (last == null) {
            return null;
        }
        // One pass over the version's current facts (not its history, which for a hot version is
        // long) gives its values and the newest transaction that asserted one: every change to a
        // version asserts a value, nothing is only retracted. An entity and three lookups cost twice
        // that, and this is the hottest read.
        BigDecimal amount = null;
        String currency = null;
        Date effectiveAt = null;
        long tx = 0;
        for (Datom datom : db.datoms(Database.EAVT, last)) {
            Object attr = db.ident(datom.a());
            if (Attr.PRICE_AMOUNT.equals(attr)) {
                amount = (BigDecimal) datom.v();
            } else if (Attr.PRICE_CURRENCY.equals(attr)) {
                currency = (String) datom.v();
            } else if (Attr.PRICE_EFFECTIVE_AT.equals(attr)) {
                effectiveAt = (Date) datom.v();
            }
            tx = Math.max(tx, (Long) datom.tx());
        }
        long t = Peer.toT(tx);
        return new PriceView(sku, amount, currency, effectiveAt.toInstant(),
                t, Facts.txInstant(db, t), basis.t(), basis.instant(), validAt);
    }

    /**
     * The version whose key is the greatest in {@code [from, to)}: one backward seek in AVET from
     * {@code to}, so a SKU with many versions costs what a SKU with one does.
     */
    private static Object lastVersionBefore(Database db, String from, String to) {
        for (Datom datom : db.rseekDatoms(Database.AVET, Attr.PRICE_KEY, to)) {
            if (!Attr.PRICE_KEY.equals(db.ident(datom.a()))) {
                return null;
            }
            String key = (String) datom.v();
            if (key.compareTo(from) < 0) {
                return null;
            }
            if (key.compareTo(to) < 0) {
                return datom.e();
            }
        }
        return null;
    }
}
