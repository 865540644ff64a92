package dev.asof.datomic;

import clojure.lang.Keyword;
import datomic.Database;
import datomic.Datom;
import datomic.Entity;
import datomic.Peer;
import datomic.Util;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Date;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * One customer's personal facts, found in every database value ({@link PersonalData} says which),
 * and what each becomes when erased: the plan an erasure carries out in Datomic (a rebuild that
 * replaces them, {@link MemRebuild}, or excision) and in the journal's rows.
 *
 * <p>Found from a history database: every entity that ever held the id (one per re-creation after a
 * deletion), every event that named it ({@code :event/subject} through its index;
 * {@code :event/unchangedSubject}, which has none, by reading that attribute whole), and every value
 * they held. Placeholders are numbered per attribute in t order, so the same history gives the same
 * plan on every process (the writer, a replay, a follower that takes over).
 */
public final class CustomerErasure {
    private final String customerId;
    private final Set<Object> customers;
    private final Set<Object> events;
    /** Per personal attribute: each value the customer held, and its placeholder. */
    private final Map<Keyword, Map<Object, String>> values;
    private final SortedSet<Long> ts;

    private CustomerErasure(String customerId, Set<Object> customers, Set<Object> events,
            Map<Keyword, Map<Object, String>> values, SortedSet<Long> ts) {
        this.customerId = customerId;
        this.customers = customers;
        this.events = events;
        this.values = values;
        this.ts = ts;
    }

    /** The plan for {@code customerId} on {@code db}; empty when no database value ever held it. */
    public static Optional<CustomerErasure> of(Database db, String customerId) {
        Database history = db.history();
        Set<Object> customers = new LinkedHashSet<>();
        history.datoms(Database.AVET, Attr.CUSTOMER_ID, customerId).forEach(d -> customers.add(((Datom) d).e()));
        if (customers.isEmpty()) {
            return Optional.empty();
        }
        String subject = "customer:" + customerId;
        Set<Object> events = new LinkedHashSet<>();
        history.datoms(Database.AVET, Attr.EVENT_SUBJECT, subject).forEach(d -> events.add(((Datom) d).e()));
        for (Object o : history.datoms(Database.AEVT, Attr.EVENT_UNCHANGED_SUBJECT)) {
            Datom datom = (Datom) o;
            if (subject.equals(datom.v())) {
                events.add(datom.e());
            }
        }
        // Every personal datom, in t order (a retraction before the assertion it makes way for).
        List<Datom> datoms = new ArrayList<>();
        for (Object e : customers) {
            history.datoms(Database.EAVT, e).forEach(d -> datoms.add((Datom) d));
        }
        for (Object e : events) {
            history.datoms(Database.EAVT, e).forEach(d -> datoms.add((Datom) d));
        }
        datoms.sort((a, b) -> a.tx().equals(b.tx()) ? Boolean.compare(a.added(), b.added())
                : Long.compare((Long) a.tx(), (Long) b.tx()));
        Map<Keyword, Map<Object, String>> values = new HashMap<>();
        SortedSet<Long> ts = new TreeSet<>();
        for (Datom datom : datoms) {
            Keyword attr = (Keyword) db.ident(datom.a());
            boolean personal = customers.contains(datom.e()) ? PersonalData.CUSTOMER.contains(attr)
                    : PersonalData.EVENT.contains(attr);
            if (!personal) {
                continue;
            }
            ts.add(Peer.toT(datom.tx()));
            Map<Object, String> held = values.computeIfAbsent(attr, a -> new HashMap<>());
            held.computeIfAbsent(datom.v(), v -> placeholderOf(attr, v, customerId, held.size() + 1));
        }
        return Optional.of(new CustomerErasure(customerId, Set.copyOf(customers), Set.copyOf(events), values,
                Collections.unmodifiableSortedSet(ts)));
    }

    /**
     * The plan for the customer whose id has {@code digest} ({@link PersonalData#digest}), found by
     * reading every id ever held: for a replay or a follower that meets an erasure in the journal,
     * which names the customer by its digest only. Empty when none has it.
     */
    public static Optional<CustomerErasure> ofDigest(Database db, String digest) {
        for (Object o : db.history().datoms(Database.AEVT, Attr.CUSTOMER_ID)) {
            Object id = ((Datom) o).v();
            if (!PersonalData.isErased(id) && digest.equals(PersonalData.digest((String) id))) {
                return of(db, (String) id);
            }
        }
        return Optional.empty();
    }

    private static String placeholderOf(Keyword attr, Object value, String customerId, int n) {
        if (Attr.CUSTOMER_ID.equals(attr)) {
            return PersonalData.erasedId(customerId);
        }
        if (Attr.EVENT_SUBJECT.equals(attr) || Attr.EVENT_UNCHANGED_SUBJECT.equals(attr)) {
            return "customer:" + PersonalData.erasedId(customerId);
        }
        if (Attr.EVENT_HASH.equals(attr)) {
            return PersonalData.ERASED_HASH;
        }
        return PersonalData.placeholder(attr, n);
    }

    public String customerId() {
        return customerId;
    }

    public String digest() {
        return PersonalData.digest(customerId);
    }

    /** The entities that held the customer's id. */
    public Set<Object> customers() {
        return customers;
    }

    /** The customer's events. */
    public Set<Object> events() {
        return events;
    }

    /** The t of every transaction that asserted or retracted one of the erased values. */
    public SortedSet<Long> ts() {
        return ts;
    }

    /** True when some database value still holds a value this plan erases (not only placeholders). */
    public boolean holdsValues() {
        return values.values().stream().flatMap(m -> m.keySet().stream()).anyMatch(v -> !PersonalData.isErased(v));
    }

    /** Every value erased (for checking that a reason names none, and for tests); placeholders excluded. */
    public Set<Object> erasedValues() {
        Set<Object> all = new LinkedHashSet<>();
        values.values().forEach(m -> m.keySet().stream().filter(v -> !PersonalData.isErased(v)).forEach(all::add));
        all.add(customerId);
        return all;
    }

    /** What {@code datom} holds once erased: its placeholder when it is a personal fact of this customer, else its value. */
    public Object valueOf(Datom datom, Keyword attr) {
        boolean personal = customers.contains(datom.e()) ? PersonalData.CUSTOMER.contains(attr)
                : events.contains(datom.e()) && PersonalData.EVENT.contains(attr);
        if (!personal) {
            return datom.v();
        }
        return placeholder(attr, datom.v());
    }

    /**
     * The placeholder of {@code value} in {@code attr} for this customer; a value no database held
     * (one in a batch Datomic rejected) gets a number of its own after the held ones.
     */
    public String placeholder(Keyword attr, Object value) {
        Map<Object, String> held = values.computeIfAbsent(attr, a -> new HashMap<>());
        String known = held.get(value);
        if (known != null) {
            return known;
        }
        if (PersonalData.isErased(value)) {
            return (String) value;
        }
        String made = placeholderOf(attr, value, customerId, held.size() + 1);
        held.put(value, made);
        return made;
    }

    /**
     * The erasure's own transaction data: the record ({@code :erasure/customer} and the rest) and,
     * when {@code excise} (Datomic Pro storage), the excision of every personal fact —
     * {@code :db/excise} with {@code :db.excise/attrs} per entity. {@code instant} null leaves it
     * to the transactor.
     */
    public List<Object> transaction(String by, String reason, Date instant, boolean excise) {
        List<Object> tx = new ArrayList<>();
        Map<Object, Object> record = new HashMap<>();
        record.put(Attr.DB_ID, "erasure");
        record.put(Attr.ERASURE_CUSTOMER, digest());
        record.put(Attr.ERASURE_BY, by);
        record.put(Attr.ERASURE_REASON, reason);
        if (!ts.isEmpty()) {
            record.put(Attr.ERASURE_T, new ArrayList<>(ts));
        }
        tx.add(record);
        if (excise) {
            for (Object e : customers) {
                tx.add(Util.map(Attr.DB_EXCISE, e, Attr.EXCISE_ATTRS, new ArrayList<>(PersonalData.CUSTOMER)));
            }
            for (Object e : events) {
                tx.add(Util.map(Attr.DB_EXCISE, e, Attr.EXCISE_ATTRS, new ArrayList<>(PersonalData.EVENT)));
            }
        }
        if (instant != null) {
            tx.add(Util.map(Attr.DB_ID, "datomic.tx", Attr.TX_INSTANT, instant));
        }
        return tx;
    }

    /** The t of every transaction an erasure record ({@code :erasure/t}) names, in order. */
    public static List<Long> transactions(Entity record) {
        List<Long> ts = new ArrayList<>();
        Object held = record.get(Attr.ERASURE_T);
        if (held != null) {
            ((java.util.Collection<?>) held).forEach(t -> ts.add((Long) t));
            ts.sort(null);
        }
        return ts;
    }
}
