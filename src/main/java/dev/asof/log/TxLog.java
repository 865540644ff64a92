package dev.asof.log;

import clojure.lang.Keyword;
import datomic.Database;
import datomic.Datom;
import datomic.Entity;
import datomic.Log;
import datomic.Peer;
import dev.asof.datomic.Attr;
import dev.asof.datomic.DatomicStore;
import dev.asof.datomic.Facts;
import dev.asof.http.ProblemException;
import dev.asof.prices.PriceKeys;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/** Reads transactions back from Datomic's Log and tells them in domain terms, never raw entity ids. */
@ApplicationScoped
public class TxLog {
    private final DatomicStore store;

    public TxLog(DatomicStore store) {
        this.store = store;
    }

    public long basisT() {
        return store.db().basisT();
    }

    public TxView transaction(long t) {
        Database db = store.db();
        if (t <= 0 || t > db.basisT()) {
            throw ProblemException.notFound("No transaction at t=" + t + " (basis t=" + db.basisT() + ")");
        }
        Log log = store.connection().log();
        for (Object item : log.txRange(t, t + 1)) {
            Map<?, ?> tx = (Map<?, ?>) item;
            if (((Number) tx.get(Log.T)).longValue() == t) {
                return describe(db, t, (Collection<?>) tx.get(Log.DATA));
            }
        }
        throw ProblemException.notFound("No transaction at t=" + t);
    }

    /**
     * Transactions after {@code after} that recorded events, in order, at most {@code limit}; a
     * consumer resumes from the last t it saw. Transactions of asof's own (the schema) are skipped.
     */
    public List<TxView> after(long after, int limit) {
        Database db = store.db();
        List<TxView> changes = new ArrayList<>(Math.min(limit, 64));
        if (after >= db.basisT()) {
            return changes;
        }
        for (Object item : store.connection().log().txRange(after + 1, null)) {
            Map<?, ?> tx = (Map<?, ?>) item;
            long t = ((Number) tx.get(Log.T)).longValue();
            if (t > db.basisT()) {
                break;
            }
            TxView view = describe(db, t, (Collection<?>) tx.get(Log.DATA));
            if (!view.events().isEmpty()) {
                changes.add(view);
                if (changes.size() == limit) {
                    break;
                }
            }
        }
        return changes;
    }

    static TxView describe(Database db, long t, Collection<?> data) {
        Object txId = Peer.toTx(t);
        Database after = db.asOf(t);
        Database before = db.asOf(t - 1);
        Instant instant = null;
        Set<String> sources = new LinkedHashSet<>();
        List<TxView.EventRef> events = new ArrayList<>();
        List<TxView.Change> changes = new ArrayList<>();
        Map<Object, Map<String, Object>> names = new HashMap<>();
        for (Object o : data) {
            Datom datom = (Datom) o;
            Keyword attr = (Keyword) db.ident(datom.a());
            if (datom.e().equals(txId)) {
                if (Attr.TX_INSTANT.equals(attr)) {
                    instant = ((Date) datom.v()).toInstant();
                } else if (Attr.TX_SOURCES.equals(attr)) {
                    sources.add((String) datom.v());
                }
                continue;
            }
            if (Attr.EVENT_ID.equals(attr)) {
                Entity event = after.entity(datom.e());
                String subject = Facts.subject(event);
                events.add(new TxView.EventRef((UUID) datom.v(), Facts.type(subject), subject,
                        (String) event.get(Attr.EVENT_SOURCE)));
                continue;
            }
            if (!"price".equals(attr.getNamespace()) && !"customer".equals(attr.getNamespace())) {
                continue;
            }
            Map<String, Object> entity = names.computeIfAbsent(datom.e(), e -> name(after, before, e));
            changes.add(new TxView.Change(entity, attr.getName(), value(datom.v()),
                    datom.added() ? "assert" : "retract"));
        }
        return new TxView(t, instant, events, new ArrayList<>(sources), changes);
    }

    /** What a domain entity is, from the database just after the transaction or, if it was retracted, just before. */
    private static Map<String, Object> name(Database after, Database before, Object e) {
        for (Database db : List.of(after, before)) {
            Entity entity = db.entity(e);
            Object key = entity.get(Attr.PRICE_KEY);
            if (key != null) {
                Map<String, Object> name = new LinkedHashMap<>();
                name.put("sku", PriceKeys.sku((String) key));
                name.put("effectiveAt", ((Date) entity.get(Attr.PRICE_EFFECTIVE_AT)).toInstant());
                return name;
            }
            Object customerId = entity.get(Attr.CUSTOMER_ID);
            if (customerId != null) {
                return Map.of("customerId", customerId);
            }
        }
        return Map.of();
    }

    private static Object value(Object v) {
        return v instanceof Date date ? date.toInstant() : v;
    }
}
