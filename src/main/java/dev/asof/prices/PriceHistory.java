package dev.asof.prices;

import datomic.Database;
import datomic.Datom;
import datomic.Entity;
import datomic.Peer;
import dev.asof.datomic.Answer;
import dev.asof.datomic.Attr;
import dev.asof.datomic.EventIds;
import dev.asof.datomic.Facts;
import dev.asof.datomic.TimeTravel;
import dev.asof.datomic.TimeTravel.Basis;
import dev.asof.http.AsOf;
import dev.asof.http.Cursor;
import dev.asof.http.Page;
import dev.asof.http.ProblemException;
import dev.asof.http.SystemTimeRange;
import jakarta.enterprise.context.ApplicationScoped;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.Iterator;
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

    public PriceHistory(TimeTravel time) {
        this.time = time;
    }

    /** The price of {@code sku} in force at {@code validAt} (default: the instant of asOf, or now), as known at {@code asOf}. */
    public Answer<PriceView> at(String sku, AsOf asOf, Instant validAt) {
        Basis basis = time.resolve(asOf);
        Instant valid = validAt != null ? validAt : basis.instant();
        PriceView view = inForce(basis, sku, valid);
        if (view == null) {
            throw ProblemException.notFound("No price for SKU " + sku + " is in force at " + valid
                    + " as known at t=" + basis.t());
        }
        return new Answer<>(view, basis);
    }

    /** Every SKU's price at that point, in SKU order, after the cursor's SKU. */
    public Answer<Page<PriceView>> all(AsOf asOf, Instant validAt, int limit, String cursor) {
        Basis basis = time.resolve(asOf);
        Instant valid = validAt != null ? validAt : basis.instant();
        List<String> after = Cursor.decode(cursor, "prices", 1);
        String start = after == null ? "" : after.get(0) + "\u0000";
        Iterable<PriceView> prices = () -> new Iterator<>() {
            private final Iterator<Datom> skus = basis.db().seekDatoms(Database.AVET, Attr.PRICE_SKU, start).iterator();
            private String last;
            private PriceView next = advance();

            private PriceView advance() {
                while (skus.hasNext()) {
                    Datom datom = skus.next();
                    if (!Attr.PRICE_SKU.equals(basis.db().ident(datom.a()))) {
                        return null;
                    }
                    String sku = (String) datom.v();
                    if (sku.equals(last)) {
                        continue;
                    }
                    last = sku;
                    PriceView view = inForce(basis, sku, valid);
                    if (view != null) {
                        return view;
                    }
                }
                return null;
            }

            @Override
            public boolean hasNext() {
                return next != null;
            }

            @Override
            public PriceView next() {
                PriceView current = next;
                next = advance();
                return current;
            }
        };
        Page<PriceView> page = Page.of(prices, limit, PriceView::sku, "prices");
        return new Answer<>(page, basis);
    }

    /** Every recorded fact about the SKU's prices within {@code range}, in {@code range}'s order. */
    public Answer<Page<PriceChange>> history(String sku, SystemTimeRange range, int limit, String cursor) {
        Basis basis = time.resolve(null);
        Database db = basis.db();
        Database history = db.history();
        List<PriceChange> changes = new ArrayList<>();
        for (Datom version : db.datoms(Database.AVET, Attr.PRICE_SKU, sku)) {
            Object e = version.e();
            Entity entity = db.entity(e);
            String key = (String) entity.get(Attr.PRICE_KEY);
            Instant effectiveAt = ((Date) entity.get(Attr.PRICE_EFFECTIVE_AT)).toInstant();
            Map<Long, UUID> events = EventIds.bySubjectTx(db, "price:" + key);
            Map<String, BigDecimal> amounts = new HashMap<>();
            Map<String, String> currencies = new HashMap<>();
            List<String> groups = new ArrayList<>();
            for (Datom datom : history.datoms(Database.EAVT, e)) {
                Object attr = db.ident(datom.a());
                String group = Peer.toT(datom.tx()) + (datom.added() ? ":assert" : ":retract");
                if (Attr.PRICE_AMOUNT.equals(attr)) {
                    amounts.put(group, (BigDecimal) datom.v());
                } else if (Attr.PRICE_CURRENCY.equals(attr)) {
                    currencies.put(group, (String) datom.v());
                } else {
                    continue;
                }
                if (!groups.contains(group)) {
                    groups.add(group);
                }
            }
            for (String group : groups) {
                long t = Long.parseLong(group.substring(0, group.indexOf(':')));
                boolean added = group.endsWith(":assert");
                // A change of amount alone still names the whole version: fill in the other field.
                Entity then = (added ? db.asOf(t) : db.asOf(t - 1)).entity(e);
                BigDecimal amount = amounts.getOrDefault(group, (BigDecimal) then.get(Attr.PRICE_AMOUNT));
                String currency = currencies.getOrDefault(group, (String) then.get(Attr.PRICE_CURRENCY));
                changes.add(new PriceChange(t, Facts.txInstant(db, t), effectiveAt, amount, currency,
                        added ? "assert" : "retract", events.get(t)));
            }
        }
        return new Answer<>(range.page(changes, cursor, "price-history", limit), basis);
    }

    static PriceView inForce(Basis basis, String sku, Instant validAt) {
        Database db = basis.db();
        String from = sku + "@";
        String to = PriceKeys.of(sku, validAt.toEpochMilli() + 1);
        Object last = null;
        for (Datom datom : db.indexRange(Attr.PRICE_KEY, from, to)) {
            last = datom.e();
        }
        if (last == null) {
            return null;
        }
        Entity version = db.entity(last);
        long t = Facts.lastAssertedT(db, last);
        return new PriceView(sku,
                (BigDecimal) version.get(Attr.PRICE_AMOUNT),
                (String) version.get(Attr.PRICE_CURRENCY),
                ((Date) version.get(Attr.PRICE_EFFECTIVE_AT)).toInstant(),
                t, Facts.txInstant(db, t), basis.t(), basis.instant(), validAt);
    }
}
