package dev.asof.events;

import clojure.lang.Keyword;
import datomic.Database;
import datomic.Entity;
import datomic.Util;
import dev.asof.datomic.Attr;
import dev.asof.datomic.PriceKeys;
import dev.asof.datomic.PriceVersion;
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
 * event (id, content hash, what it is about, source) and, on the transaction entity, its instant
 * and the batch's sources. Reads {@code db} to retract what a customer event clears and what a price
 * version holds that the event's kind does not (a period's end, an end's {@code ended}, everything a
 * withdrawal takes back), to name a SKU the first time it is seen, and to tell whether an event
 * changes anything.
 *
 * <p><b>Events that change nothing</b> (the same values sent again under a new id) are recorded
 * like any other, but name their SKU or customer with {@code :event/unchangedSku} or
 * {@code :event/unchangedSubject}, which no index holds, instead of {@code :event/sku} or
 * {@code :event/subject}: the history indexes hold only events that changed something, and a
 * history page never reads the others. Only the writer can tell, with {@code db} the database just
 * before the transaction: a cut batch holds each entity once (the rule of {@code dev.asof.ingest.BatchPlan}), so
 * each event's version or customer is as {@code db} has it. Where other peers write too (Datomic
 * Pro), {@code db} may be behind the transactor's and an event it sees as changing nothing may
 * change something: there every event names its subject with the indexed attribute, as events
 * recorded before this rule do, and history pages pass by those that changed nothing within their
 * read bound ({@link dev.asof.datomic.EventHistory}).
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
     * price, and its event entity but for what names its subject (which depends on whether it
     * changes anything: {@link #build}). Built once, on the request's thread, so that the transact
     * worker (the bottleneck) only assembles them.
     */
    static List<Object> statements(Event event, String hash) {
        List<Object> tx = new ArrayList<>(9);
        String eventTemp = eventTemp(event);
        // List form, not maps: Datomic would expand each map into these very lists.
        if (event instanceof PriceEvent price) {
            if (!price.isWithdrawal()) {
                price(price, versionTemp(event), tx);
            }
            tx.add(add(eventTemp, Attr.EVENT_EFFECTIVE_AT, Date.from(price.effectiveAt())));
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
     * {@code onlyWriter}: this process is the database's one writer, so {@code db} is the database
     * the transaction will apply to, and events that change nothing are recorded out of the history
     * indexes; false (other peers write too) records every event in them.
     */
    public static List<Object> build(Database db, List<Received> batch, Instant txInstant, boolean onlyWriter) {
        return build(db, batch, txInstant, onlyWriter, false);
    }

    /**
     * The transaction as the releases that wrote journal format 1 built it, for their rows' replay:
     * there, an event that only cleared fields of a customer that was not there created it (empty),
     * and answers served then — settled ones included — said so; a replay must say the same.
     */
    public static List<Object> buildAsFormat1(Database db, List<Received> batch, Instant txInstant) {
        return build(db, batch, txInstant, true, true);
    }

    private static List<Object> build(Database db, List<Received> batch, Instant txInstant, boolean onlyWriter,
            boolean clearsCreate) {
        List<Object> tx = new ArrayList<>(batch.size() * 9 + 1);
        Set<String> sources = new LinkedHashSet<>();
        Set<String> newSkus = new HashSet<>();
        for (Received received : batch) {
            Event event = received.event();
            tx.addAll(received.statements());
            if (event instanceof CustomerEvent customer) {
                boolean changes = customer(db, customer, versionTemp(event), tx, clearsCreate) || !onlyWriter;
                tx.add(add(eventTemp(event), changes ? Attr.EVENT_SUBJECT : Attr.EVENT_UNCHANGED_SUBJECT,
                        received.subject()));
            } else if (event instanceof PriceEvent price) {
                boolean changes;
                if (!price.isWithdrawal() && newSkus.contains(price.sku())) {
                    changes = true; // a SKU the database does not have: this version is new
                } else if (!price.isWithdrawal() && isNewSku(db, price.sku())) {
                    newSkus.add(price.sku());
                    tx.add(add(versionTemp(event), Attr.PRICE_SKU, price.sku()));
                    changes = true;
                } else {
                    // What the version holds now that this event's kind does not is retracted, so that it
                    // becomes exactly what the event says: a period's end, an end's mark, or — for a
                    // withdrawal — everything (BatchPlan answered 422 if it held nothing; with other
                    // writers one may have withdrawn it meanwhile, and then this changes nothing).
                    PriceVersion before = PriceVersion.in(db, priceKey(price));
                    PriceVersion after = version(price);
                    before.retractionsFor(after, tx);
                    if (before.onlyLoses(after)) {
                        tx.add(add(versionTemp(event), Attr.PRICE_CHANGED_BY, eventTemp(event)));
                    }
                    changes = !onlyWriter || !before.sameAs(after);
                }
                tx.add(add(eventTemp(event), changes ? Attr.EVENT_SKU : Attr.EVENT_UNCHANGED_SKU, price.sku()));
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

    /**
     * What an event is about, the entity it may change: for a customer event what
     * {@code :event/subject} (or {@code :event/unchangedSubject}) records, and for either kind what
     * {@code dev.asof.datomic.Facts#subject} tells back from the recorded event.
     */
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

    /**
     * The events {@code txData} (as {@link #build} made it) records as changing nothing — a version
     * that already held that, a clear of a customer that is not there — as the temporary ids
     * {@link #isIn} looks up: one pass over the transaction, whatever its size. Empty where the
     * builder could not tell (several writers).
     */
    public static Set<Object> unchanged(List<Object> txData) {
        Set<Object> temps = new HashSet<>();
        for (Object statement : txData) {
            if (statement instanceof List<?> s && s.size() == 4
                    && (Attr.EVENT_UNCHANGED_SKU.equals(s.get(2)) || Attr.EVENT_UNCHANGED_SUBJECT.equals(s.get(2)))) {
                temps.add(s.get(1));
            }
        }
        return temps;
    }

    /** Whether {@code event} is one of {@code events} (as {@link #unchanged} lists them). */
    public static boolean isIn(Set<Object> events, Event event) {
        return !events.isEmpty() && events.contains(eventTemp(event));
    }

    private static String eventTemp(Event event) {
        return "event-" + event.id();
    }

    private static String versionTemp(Event event) {
        return "subject-" + event.id();
    }

    /**
     * True for a SKU the database does not have: its first version alone carries
     * {@code :price/sku}, which lists the SKUs. One index seek instead of three index inserts on
     * every later version; and a new SKU has no version to compare with, so it costs no other.
     */
    /**
     * Whether {@code db} ever held the event's subject (a SKU or a customer id, in any database value,
     * deleted customers included) or the event's own id. Index lookups: a few microseconds.
     */
    public static boolean recorded(Database db, Event event) {
        Database history = db.history();
        if (event.id() != null && history.datoms(Database.AVET, Attr.EVENT_ID, event.id()).iterator().hasNext()) {
            return true;
        }
        if (event instanceof PriceEvent price) {
            return price.sku() != null && history.datoms(Database.AVET, Attr.PRICE_SKU, price.sku()).iterator().hasNext();
        }
        CustomerEvent customer = (CustomerEvent) event;
        return customer.customerId() != null
                && history.datoms(Database.AVET, Attr.CUSTOMER_ID, customer.customerId()).iterator().hasNext();
    }

    private static boolean isNewSku(Database db, String sku) {
        return !db.datoms(Database.AVET, Attr.PRICE_SKU, sku).iterator().hasNext();
    }

    /** The version {@code price} leaves (entity and transaction aside); nothing for a withdrawal. */
    static PriceVersion version(PriceEvent price) {
        if (price.isWithdrawal()) {
            return PriceVersion.NONE;
        }
        Date until = price.effectiveUntil() == null ? null : Date.from(price.effectiveUntil());
        return new PriceVersion(null, Date.from(price.effectiveAt()), price.amount(), price.currency(), until,
                periodKey(price), price.isEnd(), 0);
    }

    /** {@code :price/period} of a period (null for an open-ended version): its SKU, end and start, sortable. */
    static String periodKey(PriceEvent price) {
        if (price.effectiveUntil() == null) {
            return null;
        }
        return PriceKeys.period(price.sku(), price.effectiveUntil().toEpochMilli(), price.effectiveAt().toEpochMilli());
    }

    /** The facts a price, a period or an end asserts on its version (a withdrawal only retracts: {@link #build}). */
    private static void price(PriceEvent price, String temp, List<Object> tx) {
        tx.add(add(temp, Attr.PRICE_KEY, priceKey(price)));
        tx.add(add(temp, Attr.PRICE_EFFECTIVE_AT, Date.from(price.effectiveAt())));
        if (price.isEnd()) {
            tx.add(add(temp, Attr.PRICE_ENDED, Boolean.TRUE));
        } else {
            tx.add(add(temp, Attr.PRICE_AMOUNT, price.amount()));
            tx.add(add(temp, Attr.PRICE_CURRENCY, price.currency()));
        }
        if (price.effectiveUntil() != null) {
            tx.add(add(temp, Attr.PRICE_EFFECTIVE_UNTIL, Date.from(price.effectiveUntil())));
            tx.add(add(temp, Attr.PRICE_PERIOD, periodKey(price)));
        }
    }

    private static List<Object> add(Object e, Keyword attr, Object value) {
        return Util.list(Attr.DB_ADD, e, attr, value);
    }

    /**
     * Adds a customer event's statements; false when they change nothing: the deletion of a
     * customer {@code db} does not have, or an event whose every field is the customer's already
     * and whose every cleared field the customer does not have.
     */
    private static boolean customer(Database db, CustomerEvent event, String temp, List<Object> tx,
            boolean clearsCreate) {
        Object lookup = Util.list(Attr.CUSTOMER_ID, event.customerId());
        Entity existing = db.entid(lookup) == null ? null : db.entity(lookup);
        if (event.isDeletion()) {
            if (existing != null) {
                tx.add(Util.list(Attr.DB_RETRACT_ENTITY, lookup));
            }
            return existing != null;
        }
        if (existing == null && !event.cleared().isEmpty() && !setsAny(event) && !clearsCreate) {
            // Only clears, of a customer that is not there (deleted, or never created): nothing to
            // clear, and nothing is created — a late or redelivered clear must not undo a deletion.
            return false;
        }
        Map<Object, Object> upsert = new HashMap<>();
        upsert.put(Attr.DB_ID, temp);
        upsert.put(Attr.CUSTOMER_ID, event.customerId());
        boolean changes = existing == null;
        changes |= putIfPresent(upsert, Attr.CUSTOMER_NAME, event.name(), existing);
        changes |= putIfPresent(upsert, Attr.CUSTOMER_EMAIL, event.email(), existing);
        changes |= putIfPresent(upsert, Attr.CUSTOMER_TIER, event.tier(), existing);
        changes |= putIfPresent(upsert, Attr.CUSTOMER_COUNTRY, event.country(), existing);
        changes |= putIfPresent(upsert, Attr.CUSTOMER_CITY, event.city(), existing);
        tx.add(upsert);
        if (existing != null) {
            for (String field : event.cleared()) {
                Keyword attr = CUSTOMER_ATTRS.get(field);
                Object current = existing.get(attr);
                if (current != null) {
                    tx.add(Util.list(Attr.DB_RETRACT, lookup, attr, current));
                    changes = true;
                }
            }
        }
        return changes;
    }

    private static boolean setsAny(CustomerEvent event) {
        return event.name() != null || event.email() != null || event.tier() != null || event.country() != null
                || event.city() != null;
    }

    /** Puts a field the event sets; true when it differs from the customer's ({@code existing}, or none). */
    private static boolean putIfPresent(Map<Object, Object> entity, Keyword attr, Object value, Entity existing) {
        if (value == null) {
            return false;
        }
        entity.put(attr, value);
        return existing == null || !value.equals(existing.get(attr));
    }
}
