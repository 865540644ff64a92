package dev.asof.events;

import clojure.lang.Keyword;
import datomic.Database;
import datomic.Entity;
import datomic.Util;
import dev.asof.datomic.Attr;
import dev.asof.datomic.PriceKeys;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns a cut batch into Datomic transaction data: the domain facts of each event, an entity per
 * event (id, content hash, what it changed, source) and, on the transaction entity, its instant
 * and the batch's sources. Reads {@code db} to retract what a customer event clears and to name a
 * SKU the first time it is seen.
 */
public final class TxData {
    private static final Map<String, Keyword> CUSTOMER_ATTRS = Map.of(
            "name", Attr.CUSTOMER_NAME,
            "email", Attr.CUSTOMER_EMAIL,
            "tier", Attr.CUSTOMER_TIER,
            "country", Attr.CUSTOMER_COUNTRY,
            "city", Attr.CUSTOMER_CITY);

    private TxData() {
    }

    /**
     * The statements of one event that do not depend on the database: its price facts, if it is a
     * price, and its event entity. Built once, on the request's thread, so that the transact
     * worker (the bottleneck) only assembles them.
     */
    static List<Object> statements(Event event, String hash, String subject) {
        List<Object> tx = new ArrayList<>(9);
        String eventTemp = eventTemp(event);
        // List form, not maps: Datomic would expand each map into these very lists.
        if (event instanceof PriceEvent price) {
            price(price, versionTemp(event), tx);
            tx.add(add(eventTemp, Attr.EVENT_SKU, price.sku()));
            tx.add(add(eventTemp, Attr.EVENT_EFFECTIVE_AT, Date.from(price.effectiveAt())));
        } else {
            tx.add(add(eventTemp, Attr.EVENT_SUBJECT, subject));
        }
        tx.add(add(eventTemp, Attr.EVENT_ID, event.id()));
        tx.add(add(eventTemp, Attr.EVENT_HASH, hash));
        if (event.source() != null) {
            tx.add(add(eventTemp, Attr.EVENT_SOURCE, event.source()));
        }
        return List.copyOf(tx);
    }

    /**
     * The whole transaction for a cut batch (no event id or entity twice in it). {@code txInstant}
     * null leaves the instant to Datomic's transactor (several peers: none of their clocks decides).
     */
    public static List<Object> build(Database db, List<Received> batch, Instant txInstant) {
        List<Object> tx = new ArrayList<>(batch.size() * 9 + 1);
        Set<String> sources = new LinkedHashSet<>();
        Set<String> newSkus = new HashSet<>();
        for (Received received : batch) {
            Event event = received.event();
            tx.addAll(received.statements());
            if (event instanceof CustomerEvent customer) {
                customer(db, customer, versionTemp(event), tx);
            } else if (event instanceof PriceEvent price && isNewSku(db, price.sku(), newSkus)) {
                tx.add(add(versionTemp(event), Attr.PRICE_SKU, price.sku()));
            }
            if (event.source() != null) {
                sources.add(event.source());
            }
        }
        Map<Object, Object> txEntity = new HashMap<>();
        txEntity.put(Attr.DB_ID, "datomic.tx");
        if (txInstant != null) {
            txEntity.put(Attr.TX_INSTANT, Date.from(txInstant));
        }
        if (!sources.isEmpty()) {
            txEntity.put(Attr.TX_SOURCES, new ArrayList<>(sources));
        }
        tx.add(txEntity);
        return tx;
    }

    /**
     * The same transaction data stamped {@code txInstant} instead (a replay clamps an instant that
     * went backwards): the transaction entity ({@code :db/id "datomic.tx"}) is replaced by a copy.
     */
    public static List<Object> withInstant(List<Object> txData, Instant txInstant) {
        List<Object> stamped = new ArrayList<>(txData.size());
        for (Object statement : txData) {
            if (statement instanceof Map<?, ?> entity && "datomic.tx".equals(entity.get(Attr.DB_ID))) {
                Map<Object, Object> copy = new HashMap<>(entity);
                copy.put(Attr.TX_INSTANT, Date.from(txInstant));
                statement = copy;
            }
            stamped.add(statement);
        }
        return stamped;
    }

    /** What an event changes, as {@code :event/subject} records it. */
    static String subject(Event event) {
        if (event instanceof PriceEvent price) {
            return "price:" + priceKey(price);
        }
        return "customer:" + ((CustomerEvent) event).customerId();
    }

    /** {@code :price/key}: the SKU, then the valid time in a form that sorts as it reads. */
    private static String priceKey(PriceEvent price) {
        return PriceKeys.of(price.sku(), price.effectiveAt().toEpochMilli());
    }

    private static String eventTemp(Event event) {
        return "event-" + event.id();
    }

    private static String versionTemp(Event event) {
        return "subject-" + event.id();
    }

    /**
     * True for a SKU that neither the database nor an earlier event of the batch has: its first
     * version alone carries {@code :price/sku}, which lists the SKUs. One index seek instead of
     * three index inserts on every later version.
     */
    private static boolean isNewSku(Database db, String sku, Set<String> newSkus) {
        return !newSkus.contains(sku) && !db.datoms(Database.AVET, Attr.PRICE_SKU, sku).iterator().hasNext()
                && newSkus.add(sku);
    }

    private static void price(PriceEvent price, String temp, List<Object> tx) {
        tx.add(add(temp, Attr.PRICE_KEY, priceKey(price)));
        tx.add(add(temp, Attr.PRICE_EFFECTIVE_AT, Date.from(price.effectiveAt())));
        tx.add(add(temp, Attr.PRICE_AMOUNT, price.amount()));
        tx.add(add(temp, Attr.PRICE_CURRENCY, price.currency()));
    }

    private static List<Object> add(Object e, Keyword attr, Object value) {
        return Util.list(Attr.DB_ADD, e, attr, value);
    }

    private static void customer(Database db, CustomerEvent event, String temp, List<Object> tx) {
        Object lookup = Util.list(Attr.CUSTOMER_ID, event.customerId());
        Entity existing = db.entid(lookup) == null ? null : db.entity(lookup);
        if (event.isDeletion()) {
            if (existing != null) {
                tx.add(Util.list(Attr.DB_RETRACT_ENTITY, lookup));
            }
            return;
        }
        Map<Object, Object> upsert = new HashMap<>();
        upsert.put(Attr.DB_ID, temp);
        upsert.put(Attr.CUSTOMER_ID, event.customerId());
        putIfPresent(upsert, Attr.CUSTOMER_NAME, event.name());
        putIfPresent(upsert, Attr.CUSTOMER_EMAIL, event.email());
        putIfPresent(upsert, Attr.CUSTOMER_TIER, event.tier());
        putIfPresent(upsert, Attr.CUSTOMER_COUNTRY, event.country());
        putIfPresent(upsert, Attr.CUSTOMER_CITY, event.city());
        tx.add(upsert);
        if (existing != null) {
            for (String field : event.cleared()) {
                Keyword attr = CUSTOMER_ATTRS.get(field);
                Object current = existing.get(attr);
                if (current != null) {
                    tx.add(Util.list(Attr.DB_RETRACT, lookup, attr, current));
                }
            }
        }
    }

    private static void putIfPresent(Map<Object, Object> entity, Keyword attr, Object value) {
        if (value != null) {
            entity.put(attr, value);
        }
    }
}
