package dev.asof.log;

import dev.asof.events.CustomerEvent;
import clojure.lang.Keyword;
import datomic.Database;
import datomic.Datom;
import datomic.Entity;
import datomic.Log;
import datomic.Util;
import dev.asof.core.Refusal;
import dev.asof.datomic.Attr;
import dev.asof.datomic.DatomicStore;
import dev.asof.datomic.Facts;
import dev.asof.datomic.PersonalData;
import dev.asof.datomic.PriceKeys;
import dev.asof.datomic.PriceVersion;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * The events of a range of transactions, told again as events ({@code GET /events?after=&until=}):
 * what {@code POST /events} takes, so that loading an export into an empty asof records the same
 * events, with the same ids, in the same order — and so reproduces every answer about now and every
 * history in the same order. What it does not keep: the {@code t}s and instants (the importing
 * service records its own, and batches as it does), so as-of answers by the old {@code t}s and
 * instants are not reproduced; the sources of transactions are the events' own.
 *
 * <p>An event is rebuilt from what its transaction recorded (asof keeps the facts, not the body
 * sent; each entity is changed by one event a transaction, {@code BatchPlan}): a price event as the
 * version's state just after it — a price, a period, an end, or {@code withdrawn} when the version
 * left valid time; a customer event as the fields its transaction asserted, the fields it
 * retracted without asserting ({@code null}: cleared), or {@code deleted} when it retracted the
 * customer. An event that changed nothing is told as an event that changes nothing there (the
 * version's state; a customer's id alone, or a deletion of a customer not there), so that it
 * keeps its place and its id. The events of a customer whose personal data was erased (issue 24)
 * are left out: a copy must not hold the person, and the copy would refuse them anyway. Read from
 * the Log a transaction at a time: memory holds one transaction's events.
 */
@ApplicationScoped
public class EventExport {
    /** Every field an exported event can have, in the order a CSV export's columns take. */
    public static final List<String> COLUMNS = List.of("id", "type", "sku", "effectiveAt", "effectiveUntil", "amount",
            "currency", "ended", "withdrawn", "customerId", "name", "email", "tier", "country", "city", CustomerEvent.CLEAR,
            "deleted", "source");

    private final DatomicStore store;
    private final TxLog log;

    public EventExport(DatomicStore store, TxLog log) {
        this.store = store;
        this.log = log;
    }

    /** The transactions {@code (after, until]}: a range of this database, fixed when it was asked for. */
    public record Range(long after, long until) {
    }

    /**
     * The range a request names: {@code after} (default 0: from the first) and {@code until}
     * (default the basis), each a position as {@code /changes} hands them out — a t, or
     * {@code t@lineage}, read by {@link TxLog#resume}: one of another database is refused, never read
     * as this one's.
     *
     * @throws Refusal invalid when malformed, of another lineage, beyond the basis, or after beyond until
     */
    public Range range(String after, String until) {
        long basis = store.db().basisT();
        long from = after == null ? 0 : log.resume("after", after, false).after();
        long to = until == null ? basis : log.resume("until", until, false).after();
        if (to > basis) {
            throw Refusal.invalid("until (t=" + to + ") lies beyond the database basis (t=" + basis + ")", null);
        }
        if (from > to) {
            throw Refusal.invalid("after (t=" + from + ") lies beyond until (t=" + to + ")", null);
        }
        return new Range(from, to);
    }

    /**
     * Each event of the range in t order, and within a transaction in the order it was sent, as a
     * map of {@link #COLUMNS} (a cleared customer field maps to null; {@code clear} lists them too,
     * space-separated, for CSV, where an empty cell is an absent field).
     */
    public void forEach(Range range, Consumer<Map<String, Object>> each) {
        if (range.after() >= range.until()) {
            return;
        }
        Database db = store.db();
        for (Object entry : store.connection().log().txRange(range.after() + 1, range.until() + 1)) {
            Map<?, ?> tx = (Map<?, ?>) entry;
            long t = ((Number) tx.get(Log.T)).longValue();
            Database at = db.asOf(t);
            Database before = db.asOf(t - 1);
            List<Datom> events = new ArrayList<>();
            Map<Object, List<Datom>> customers = new HashMap<>();
            for (Object o : (Iterable<?>) tx.get(Log.DATA)) {
                Datom datom = (Datom) o;
                Keyword attr = (Keyword) db.ident(datom.a());
                if (Attr.EVENT_ID.equals(attr) && datom.added()) {
                    events.add(datom);
                } else if ("customer".equals(attr.getNamespace())) {
                    customers.computeIfAbsent(datom.e(), e -> new ArrayList<>()).add(datom);
                }
            }
            events.sort(Comparator.comparingLong(datom -> (Long) datom.e())); // the order they were sent
            for (Datom datom : events) {
                Entity event = at.entity(datom.e());
                String subject = Facts.subject(event);
                if (PersonalData.isErased(subject.substring(subject.indexOf(':') + 1))) {
                    // An erased customer's event: the copy must not hold the person, and its id is not taken again.
                    continue;
                }
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("id", ((UUID) datom.v()).toString());
                if (subject.startsWith("price:")) {
                    price(at, subject.substring("price:".length()), row);
                } else {
                    customer(db, at, before, subject.substring("customer:".length()), customers, row);
                }
                Object source = event.get(Attr.EVENT_SOURCE);
                if (source != null) {
                    row.put("source", source);
                }
                each.accept(row);
            }
        }
    }

    private static void price(Database at, String key, Map<String, Object> row) {
        row.put("type", "price");
        row.put("sku", PriceKeys.sku(key));
        row.put("effectiveAt", java.time.Instant.ofEpochMilli(PriceKeys.millis(key.substring(key.lastIndexOf('@') + 1)))
                .toString());
        PriceVersion version = PriceVersion.in(at, key);
        if (!version.exists()) {
            row.put("withdrawn", true);
            return;
        }
        if (version.isPeriod()) {
            row.put("effectiveUntil", version.until().toString());
        }
        if (version.ended()) {
            row.put("ended", true);
        } else {
            row.put("amount", version.amount());
            row.put("currency", version.currency());
        }
    }

    private static void customer(Database db, Database at, Database before, String id,
            Map<Object, List<Datom>> changed, Map<String, Object> row) {
        row.put("type", "customer");
        row.put("customerId", id);
        Object lookup = Util.list(Attr.CUSTOMER_ID, id);
        Object e = at.entid(lookup) != null ? at.entid(lookup) : before.entid(lookup);
        List<Datom> datoms = e == null ? null : changed.get(e);
        if (datoms == null) {
            // Changed nothing: the same again changes nothing — an id alone of a customer that is
            // there, a deletion of one that is not (an id alone would create it).
            if (at.entid(lookup) == null) {
                row.put("deleted", true);
            }
            return;
        }
        TreeSet<String> cleared = new TreeSet<>();
        Map<String, Object> set = new LinkedHashMap<>();
        for (Datom datom : datoms) {
            Keyword attr = (Keyword) db.ident(datom.a());
            if (Attr.CUSTOMER_ID.equals(attr)) {
                if (!datom.added()) {
                    row.put("deleted", true);
                    return;
                }
            } else if (datom.added()) {
                set.put(attr.getName(), datom.v());
                cleared.remove(attr.getName());
            } else if (!set.containsKey(attr.getName())) {
                cleared.add(attr.getName());
            }
        }
        row.putAll(set);
        for (String field : cleared) {
            row.put(field, null);
        }
        if (!cleared.isEmpty()) {
            row.put(CustomerEvent.CLEAR, String.join(" ", cleared));
        }
    }
}
