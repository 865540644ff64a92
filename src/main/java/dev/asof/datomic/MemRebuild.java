package dev.asof.datomic;

import java.util.HashMap;
import java.util.LinkedHashMap;
import clojure.lang.Keyword;
import datomic.Connection;
import datomic.Database;
import datomic.Datom;
import datomic.Peer;
import datomic.Util;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.function.BiFunction;

/**
 * A {@code datomic:mem} database copied, transaction by transaction, from its own Log into a new
 * one, with every datom's value as {@code valueOf} gives it: the way to take facts out of an
 * embedded database's past, since {@code datomic:mem} accepts {@code :db/excise} but never applies
 * it (measured on peer 1.0.7622: the datoms stay in history and Log after {@code syncExcise} and
 * {@code requestIndex}).
 *
 * <p>The copy has the same transactions with the same {@code t}, instants, entity ids and Log:
 * each transaction is transacted as its Log datoms in Log order, the entities it created as
 * temporary ids (the transaction itself as {@code datomic.tx}), which Datomic numbers in the order
 * it meets them, as it did the first time; the retraction a cardinality-one assertion makes by
 * itself is left to it (stated too, the Log would hold it twice). Checked datom for datom, history
 * and Log, by {@code MemRebuildTest} on generated histories. Attributes are named by ident; a reference to an entity the transaction
 * created is its temporary id.
 */
public final class MemRebuild {
    private static final Keyword REF = Keyword.intern("db.type", "ref");
    private static final Keyword DATA = Keyword.intern("data");
    private static final Keyword T = Keyword.intern("t");

    private MemRebuild() {
    }

    /**
     * Copies {@code source}'s database into a new mem database at {@code uri} (which must not
     * exist), each datom's value replaced by {@code valueOf(datom, attribute)}; returns its connection.
     * The schema transaction and everything after it are copied; Datomic's own bootstrap is the same
     * in every mem database.
     *
     * @throws IllegalStateException the copy failed (it is deleted)
     */
    public static Connection copy(Connection source, String uri, BiFunction<Datom, Keyword, Object> valueOf) {
        if (!Peer.createDatabase(uri)) {
            throw new IllegalStateException("A database is already at " + uri);
        }
        Connection copy = Peer.connect(uri);
        try {
            Database db = source.db();
            Map<Object, Keyword> idents = new HashMap<>();
            Set<Object> refs = new HashSet<>();
            Map<?, ?> pending = null;
            for (Object item : source.log().txRange(null, Peer.toTx(db.basisT() + 1))) {
                if (pending != null) {
                    List<Object> data = transaction(db, pending, (Long) ((Map<?, ?>) item).get(T), idents, refs, valueOf);
                    copy.transact(data).get();
                }
                pending = (Map<?, ?>) item;
            }
            if (pending != null) {
                copy.transact(transaction(db, pending, db.nextT(), idents, refs, valueOf)).get();
            }
            return copy;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            discard(copy, uri);
            throw new IllegalStateException("Interrupted while copying the database", e);
        } catch (ExecutionException | RuntimeException e) {
            discard(copy, uri);
            throw new IllegalStateException("Copying the database failed: " + e.getMessage(), e);
        }
    }

    /**
     * One Log entry as transaction data for the copy. Datomic numbers every temporary id of a
     * transaction, also one that upserts into an entity that exists (a customer event's), so a
     * transaction may have used numbers no datom shows: each is taken again by a temporary id that
     * upserts into an existing entity ({@code :db/ident :db/ident}, asserting nothing), in its
     * place, so that every later entity id and t comes out the same. {@code end}: the next
     * transaction's t (numbers up to it belong to this one).
     */
    private static List<Object> transaction(Database db, Map<?, ?> tx, long end, Map<Object, Keyword> idents,
            Set<Object> refs, BiFunction<Datom, Keyword, Object> valueOf) {
        long t = (Long) tx.get(T);
        Object txId = Peer.toTx(t);
        List<Datom> datoms = new ArrayList<>();
        Set<List<Object>> asserted = new HashSet<>();
        for (Object d : (Iterable<?>) tx.get(DATA)) {
            Datom datom = (Datom) d;
            datoms.add(datom);
            if (datom.added()) {
                asserted.add(List.of(datom.e(), datom.a()));
            }
        }
        List<Object> data = new ArrayList<>(datoms.size());
        List<Object> upsert = null;
        long next = t + 1; // the next number not yet taken
        Set<List<Object>> implicit = new HashSet<>();
        for (Datom datom : datoms) {
            if (!datom.added() && asserted.contains(List.of(datom.e(), datom.a())) && cardinalityOne(db, datom.a())
                    && implicit.add(List.of(datom.e(), datom.a(), datom.v()))) {
                // The old value a cardinality-one assertion replaces: Datomic retracts it by itself, again.
                continue;
            }
            long number = datom.e().equals(txId) ? 0 : Peer.toT(datom.e());
            if (number >= next) {
                // The first datom of an entity this transaction created: numbers before it that no
                // datom shows were taken by upserts, and are taken again in their place.
                for (; next < number; next++) {
                    upsert = upsert == null ? upsert(db.asOf(t - 1), db.asOf(t), valueOf) : upsert;
                    data.addAll(unused(next, upsert));
                }
                next = number + 1;
            }
            data.add(statement(db, datom, t, txId, idents, refs, valueOf));
        }
        for (; next < end; next++) {
            upsert = upsert == null ? upsert(db.asOf(t - 1), db.asOf(t), valueOf) : upsert;
            data.addAll(unused(next, upsert));
        }
        return data;
    }

    private static boolean cardinalityOne(Database db, Object attr) {
        return CARDINALITY_ONE.equals(db.entity(attr).get(CARDINALITY));
    }

    private static final Keyword CARDINALITY = Keyword.intern("db", "cardinality");
    private static final Keyword CARDINALITY_ONE = Keyword.intern("db.cardinality", "one");

    /** A temporary id that takes number {@code n} and asserts nothing ({@link #upsert}). */
    private static List<Object> unused(long n, List<Object> upsert) {
        String temp = "unused-" + n;
        return List.of(Util.list(Attr.DB_ADD, temp, upsert.get(2), upsert.get(3)),
                Util.list(Attr.DB_ADD, temp, upsert.get(0), upsert.get(1)));
    }

    /** Per unique identity attribute, the cardinality-one attributes its entities may hold. */
    private static final Map<Keyword, List<Keyword>> UPSERTS = new LinkedHashMap<>();

    static {
        UPSERTS.put(Attr.PRICE_KEY, List.of(Attr.PRICE_EFFECTIVE_AT));
        UPSERTS.put(Attr.CUSTOMER_ID, List.of(Attr.CUSTOMER_TIER, Attr.CUSTOMER_COUNTRY, Attr.CUSTOMER_NAME,
                Attr.CUSTOMER_EMAIL, Attr.CUSTOMER_CITY));
        UPSERTS.put(Attr.ERASURE_CUSTOMER, List.of(Attr.ERASURE_BY));
    }

    /**
     * How a temporary id takes a number and asserts nothing: the unique identity of an entity that
     * holds it the same just before ({@code before}) and just after ({@code after}) the
     * transaction, and another of its facts as it holds it just after (so the transaction asserts it
     * already, or it held it before), both as the copy holds them ({@code [identity, value, attribute, value]}). Datomic numbers a temporary id
     * whose first statement is not its upsert (measured: an upsert stated first takes no number), so
     * the other fact goes first, then the upsert resolves it to the entity, and the fact is one it holds then anyway.
     * There is such an entity: a number went unused only
     * because a temporary id upserted so, into a customer or a price version that existed.
     */
    private static List<Object> upsert(Database before, Database after, BiFunction<Datom, Keyword, Object> valueOf) {
        for (Map.Entry<Keyword, List<Keyword>> kind : UPSERTS.entrySet()) {
            for (Object o : before.datoms(Database.AEVT, kind.getKey())) {
                Datom identity = (Datom) o;
                if (!identity.v().equals(after.entity(identity.e()).get(kind.getKey()))) {
                    continue;
                }
                for (Keyword attr : kind.getValue()) {
                    for (Object f : after.datoms(Database.EAVT, identity.e(), attr)) {
                        return List.of(kind.getKey(), valueOf.apply(identity, kind.getKey()), attr,
                                valueOf.apply((Datom) f, attr));
                    }
                }
            }
        }
        throw new IllegalStateException("No entity for a temporary id to take an unused number with");
    }

    private static List<Object> statement(Database db, Datom datom, long t, Object txId, Map<Object, Keyword> idents,
            Set<Object> refs, BiFunction<Datom, Keyword, Object> valueOf) {
        Keyword attr = idents.computeIfAbsent(datom.a(), a -> {
            if (REF.equals(db.entity(a).get(Attr.DB_VALUE_TYPE))) {
                refs.add(a);
            }
            return (Keyword) db.ident(a);
        });
        Object value = valueOf.apply(datom, attr);
        if (refs.contains(datom.a())) {
            value = entity(value, t, txId);
        }
        return Util.list(datom.added() ? Attr.DB_ADD : Attr.DB_RETRACT, entity(datom.e(), t, txId), attr, value);
    }

    /** Releases and deletes a copy that will not be used. */
    public static void discard(Connection copy, String uri) {
        copy.release();
        Peer.deleteDatabase(uri);
    }

    /** An entity as the copy's transaction at {@code t} names it: a temporary id when it created it. */
    private static Object entity(Object e, long t, Object txId) {
        if (e.equals(txId)) {
            return "datomic.tx";
        }
        return e instanceof Long id && Peer.toT(id) > t ? "e" + id : e;
    }
}
