package dev.asof.prices;

import datomic.Database;
import datomic.Datom;
import datomic.Log;
import datomic.Peer;
import dev.asof.config.AsofConfig;
import dev.asof.core.AsOf;
import dev.asof.core.Cursor;
import dev.asof.core.Page;
import dev.asof.core.Refusal;
import dev.asof.core.SystemTimeRange;
import dev.asof.datomic.Answer;
import dev.asof.datomic.Attr;
import dev.asof.datomic.DatomicStore;
import dev.asof.datomic.EventHistory;
import dev.asof.datomic.Facts;
import dev.asof.datomic.PriceKeys;
import dev.asof.datomic.PriceVersion;
import dev.asof.datomic.TimeTravel;
import dev.asof.datomic.TimeTravel.Basis;
import dev.asof.datomic.ValidTime;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.UriBuilder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/**
 * What changed across every SKU between two points ({@code GET /prices?since=&asOf=}, and
 * {@code validSince=}): the SKUs whose price in force at {@code (since, validSince)} differs from
 * the one at {@code (asOf, validAt)}, in SKU order, each with both answers.
 *
 * <p><b>Which SKUs can differ.</b> A SKU's answer is a function of its versions (as known at a
 * point) and the valid time. Between two known-at points only a SKU that an event changed in
 * between can answer differently: those are read from Datomic's Log between the two {@code t}s
 * (each event names its SKU). Between two valid times, as known at one point, only a SKU with a
 * version that starts, or a period that ends, between them can: those are read from the AVET
 * indexes of {@code :price/effectiveAt} and {@code :price/effectiveUntil} over that span. Both at
 * once (a known-at point and a valid time each side): the union. So a diff costs what changed —
 * events in the Log, versions in the span — never the number of SKUs; then one in-force read per
 * SKU and side ({@link ValidTime}).
 *
 * <p><b>Differs</b> means the price in force differs: its amount (compared as Datomic stores it,
 * scale included, as the history does: 10.0 replacing 10 is a change) or currency, or that there is
 * one on one side and none (never one, or an end) on the other. A correction that restates the
 * same price, or a new version at the same price, is not a change in the price list; its history
 * still has it.
 *
 * <p>A page examines at most {@code limit} + asof.reads.scan candidates (the same bound as
 * {@code /prices}); candidates that turn out equal cost their reads, so a page may end short, with
 * a cursor after the last SKU it examined. Each page reads the candidates again from the Log and the
 * indexes, keeping only the ones it may examine: it costs what changed, every page, and holds a
 * page. Past asof.reads.diff-reads entries read (a diff over much of the history), a page walks
 * the SKUs in order instead and compares each, as a list page reads them: bounded either way.
 */
@ApplicationScoped
public class PriceDiffs {
    /** Changes told inline per SKU; the item's history link has them all. */
    static final int CHANGES_INLINE = 10;
    private static final String CURSOR = "price-diff";

    private final TimeTravel time;
    private final DatomicStore store;
    private final PriceHistory prices;
    private final int scan;
    private final int diffReads;

    public PriceDiffs(TimeTravel time, DatomicStore store, PriceHistory prices, AsofConfig config) {
        this.time = time;
        this.store = store;
        this.prices = prices;
        this.scan = config.reads().scan();
        this.diffReads = config.reads().diffReads();
    }

    /**
     * The diff between {@code (since, validSince)} and {@code (asOf, validAt)}. Absent, {@code asOf}
     * is now and {@code since} is {@code asOf}; {@code validAt} is asOf's instant and
     * {@code validSince} is {@code validAt}. At least one of {@code since} and {@code validSince}
     * is given (the caller's choice between a list and a diff).
     *
     * @throws Refusal invalid when since lies after asOf, or a cursor is not this list's
     */
    public Answer<PriceDiff> between(AsOf since, AsOf asOf, Instant validSince, Instant validAt, String prefix,
            int limit, String cursor) {
        // A cursor carries the points its first page was read at: every page compares the same two,
        // however the client follows it (now moves on between pages).
        List<String> afterCursor = Cursor.decode(cursor, CURSOR, 5);
        if (afterCursor != null) {
            since = new AsOf.AtT(Cursor.number(afterCursor.get(1)));
            asOf = new AsOf.AtT(Cursor.number(afterCursor.get(2)));
            validSince = instant(afterCursor.get(3));
            validAt = instant(afterCursor.get(4));
        }
        // The earlier point first: its database value is then never newer than the later one's.
        Basis before = since == null ? null : time.resolve(since, "since");
        Basis after = time.resolve(asOf);
        if (before == null) {
            before = after;
        }
        if (before.t() > after.t()) {
            throw Refusal.invalid("since (t=" + before.t() + ") lies after asOf (t=" + after.t()
                    + "): a diff reads from the earlier point to the later one", null);
        }
        Instant validB = validAt != null ? validAt : after.instant();
        Instant validA = validSince != null ? validSince : validB;
        int examine = limit + scan;
        Candidates candidates = new Candidates(afterCursor == null ? null : afterCursor.get(0), prefix, examine + 1,
                diffReads);
        if (before.t() < after.t()) {
            changedBetween(before.t(), after.t(), candidates);
        }
        if (!validA.equals(validB)) {
            // As known at the later point: a SKU untouched in between had the same versions at the earlier one.
            startingOrEndingBetween(after.db(), validA, validB, candidates);
        }
        // Past its read budget (a diff over much of the history), a page walks the SKUs instead.
        Iterable<String> ordered = candidates.overBudget()
                ? PriceHistory.skus(after.db(), afterCursor == null ? null : afterCursor.get(0), prefix)
                : candidates.skus;
        List<PriceDiff.Item> items = new ArrayList<>(Math.min(limit, 64));
        String next = null;
        // A read bound shaped the page (its examined SKUs, or an item's inline changes): never settled.
        boolean[] bounded = {false};
        int examined = 0;
        String last = null;
        for (String sku : ordered) {
            if (items.size() == limit) {
                next = cursor(items.get(limit - 1).sku(), before, after, validA, validB);
                break;
            }
            if (examined == examine) {
                next = cursor(last, before, after, validA, validB);
                bounded[0] = true;
                break;
            }
            examined++;
            last = sku;
            PriceDiff.State was = state(before, sku, validA);
            PriceDiff.State is = state(after, sku, validB);
            if (!samePrice(was, is)) {
                items.add(item(sku, was, is, before.t(), after.t(), bounded));
            }
        }
        PriceDiff diff = new PriceDiff(before.t(), before.instant(), after.t(), after.instant(), validA, validB, items,
                next, bounded[0]);
        return new Answer<>(diff, new Basis(after.db(), after.t(), after.instant(),
                before.settled() && after.settled(), after.basisT()));
    }

    /** Where the next page starts: after {@code sku}, at the same two points. */
    private static String cursor(String sku, Basis before, Basis after, Instant validA, Instant validB) {
        return Cursor.encode(CURSOR, sku, before.t(), after.t(), validA, validB);
    }

    private static Instant instant(String part) {
        try {
            return Instant.parse(part);
        } catch (java.time.DateTimeException notAnInstant) {
            throw Cursor.invalid();
        }
    }

    /** The SKUs of the price events recorded in {@code (from, to]}: one pass over the Log between them. */
    private void changedBetween(long from, long to, Candidates skus) {
        Database db = store.db();
        long sku = id(db, Attr.EVENT_SKU);
        long subject = id(db, Attr.EVENT_SUBJECT);
        for (Object entry : store.connection().log().txRange(from + 1, to + 1)) {
            for (Object o : (Iterable<?>) ((Map<?, ?>) entry).get(Log.DATA)) {
                Datom datom = (Datom) o;
                if (!datom.added()) {
                    continue;
                }
                long a = ((Number) datom.a()).longValue();
                if (a == sku) {
                    if (!skus.add((String) datom.v())) {
                        return;
                    }
                } else if (a == subject && ((String) datom.v()).startsWith("price:")) {
                    // Events recorded before :event/sku named the version: price:<key>.
                    if (!skus.add(PriceKeys.sku(((String) datom.v()).substring("price:".length())))) {
                        return;
                    }
                }
            }
        }
    }

    /**
     * The SKUs with a version that starts, or a period that ends, in {@code (min, max]} of the two
     * valid times, as {@code db} knows them: where an answer can change. Not the newest value: a
     * period's end can be changed or taken away later, and its end at that point is what counts.
     */
    private static void startingOrEndingBetween(Database db, Instant one, Instant other, Candidates skus) {
        long lo = Math.min(one.toEpochMilli(), other.toEpochMilli());
        long hi = Math.max(one.toEpochMilli(), other.toEpochMilli());
        for (var attr : List.of(Attr.PRICE_EFFECTIVE_AT, Attr.PRICE_EFFECTIVE_UNTIL)) {
            long a = id(db, attr);
            for (Datom datom : db.seekDatoms(Database.AVET, attr, new Date(lo + 1))) {
                if (((Number) datom.a()).longValue() != a || ((Date) datom.v()).getTime() > hi) {
                    break;
                }
                Object key = db.entity(datom.e()).get(Attr.PRICE_KEY);
                if (key != null && !skus.add(PriceKeys.sku((String) key))) {
                    return;
                }
            }
        }
    }

    /** An attribute's entity id (datoms carry it as a number whose boxed type may differ from entid's). */
    private static long id(Database db, Object attr) {
        return ((Number) db.entid(attr)).longValue();
    }

    /**
     * The SKUs a page may answer: after its cursor, with its prefix, only the {@code keep} first in
     * SKU order (a page examines no more), so that memory stays a page's whatever changed; and the
     * entries read to find them, up to {@code budget}.
     */
    private static final class Candidates {
        final TreeSet<String> skus = new TreeSet<>();
        private final String after;
        private final String prefix;
        private final int keep;
        private final int budget;
        private int reads;

        Candidates(String after, String prefix, int keep, int budget) {
            this.after = after;
            this.prefix = prefix;
            this.keep = keep;
            this.budget = budget;
        }

        /** Counts one entry read, naming {@code sku}; false once the budget is spent (stop reading). */
        boolean add(String sku) {
            if (++reads > budget) {
                return false;
            }
            if (sku.startsWith(prefix) && (after == null || sku.compareTo(after) > 0) && skus.add(sku) && skus.size() > keep) {
                skus.pollLast();
            }
            return true;
        }

        boolean overBudget() {
            return reads > budget;
        }
    }

    /** The price in force for {@code sku} at {@code validAt} as {@code basis} knows it; null when none and no end is. */
    private static PriceDiff.State state(Basis basis, String sku, Instant validAt) {
        PriceVersion version = ValidTime.inForce(basis.db(), sku, validAt.toEpochMilli());
        if (version == null) {
            return null;
        }
        long t = Peer.toT(version.lastTx());
        return new PriceDiff.State(version.amount(), version.currency(), version.start(), version.until(),
                version.ended() ? Boolean.TRUE : null, t, Facts.txInstant(basis.db(), t));
    }

    /** The rule of "differs" (see the class): the same amount as stored and currency, or no price on both sides. */
    static boolean samePrice(PriceDiff.State one, PriceDiff.State other) {
        boolean onePriced = one != null && one.ended() == null;
        boolean otherPriced = other != null && other.ended() == null;
        if (!onePriced || !otherPriced) {
            return onePriced == otherPriced;
        }
        return Objects.equals(one.amount(), other.amount()) && Objects.equals(one.currency(), other.currency());
    }

    /** A SKU's item: both answers and, between two known-at points, what its events did in between. */
    private PriceDiff.Item item(String sku, PriceDiff.State was, PriceDiff.State is, long from, long to,
            boolean[] bounded) {
        if (from == to) {
            return new PriceDiff.Item(sku, was, is, null, null, null);
        }
        Database db = store.db();
        SystemTimeRange range = new SystemTimeRange(new AsOf.AtT(from + 1), new AsOf.AtT(to + 1), false);
        Page<PriceChange> changes = EventHistory.page(db, store.txIndex(), Attr.EVENT_SKU, sku, range, null,
                prices.historyKind(), CHANGES_INLINE, scan, (t, event) -> PriceHistory.changes(db, t, event));
        bounded[0] |= changes.bounded();
        String history = UriBuilder.fromPath("/prices/{sku}/history").queryParam("from", from + 1)
                .queryParam("to", to + 1).build(sku).toString();
        return new PriceDiff.Item(sku, was, is, changes.items(), changes.next() != null ? Boolean.TRUE : null, history);
    }
}
