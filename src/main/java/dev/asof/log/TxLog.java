package dev.asof.log;

import clojure.lang.Keyword;
import com.fasterxml.jackson.databind.ObjectMapper;
import datomic.Database;
import datomic.Datom;
import datomic.Entity;
import datomic.Log;
import datomic.Peer;
import dev.asof.config.AsofConfig;
import dev.asof.core.AsOf;
import dev.asof.core.FieldError;
import dev.asof.core.Refusal;
import dev.asof.datomic.Attr;
import dev.asof.datomic.CustomerErasure;
import dev.asof.datomic.DatomicStore;
import dev.asof.datomic.Facts;
import dev.asof.datomic.PersonalData;
import dev.asof.core.Cursor;
import dev.asof.datomic.PriceKeys;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
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

/**
 * Reads transactions back from Datomic's Log and tells them in domain terms, never raw entity ids.
 *
 * <p>Every read is bounded by what it returns ({@link Bound}): the datoms it reads from the Log and
 * the bytes of JSON it makes, besides a number of transactions. A read ends before a transaction
 * that does not fit whole; only a transaction that alone passes the bound is split: the read holds
 * its first part ({@link TxView.Part}), whose cursor resumes at the next datom, so one huge
 * transaction costs as many reads as it needs, each of a bounded size.
 */
@ApplicationScoped
public class TxLog {
    /** The kind of the cursors that resume inside a transaction (a t and a datom index). */
    static final String CURSOR = "changes";
    /** Bytes held back for a page's envelope: {"items":[…],"next":…,"cursor":"…"}. */
    static final int ENVELOPE_BYTES = 256;

    private final DatomicStore store;
    private final ObjectMapper json;
    private final Bound bound;

    public TxLog(DatomicStore store, ObjectMapper json, AsofConfig config) {
        this.store = store;
        this.json = json;
        this.bound = new Bound(config.changes().pageDatoms(), config.changes().pageBytes());
    }

    /** How much one read may take: datoms read from the Log, and bytes of the JSON it answers. */
    public record Bound(int datoms, long bytes) {
    }

    /**
     * Where a read of the Log starts: at the first transaction after {@code after}, from its datom
     * {@code index} (0: the whole transaction).
     */
    public record Position(long after, int index) {

        public static Position after(long t) {
            return new Position(t, 0);
        }

        /** The position just past an item: the rest of its transaction when more parts follow, else the next transaction. */
        public static Position past(TxView item) {
            return item.part() != null && item.part().more() ? new Position(item.t() - 1, item.part().to())
                    : after(item.t());
        }

        /** Inside a transaction: the opaque cursor that resumes here; at a transaction boundary: null (after= says it). */
        public String cursor() {
            return index == 0 ? null : Cursor.encode(CURSOR, after + 1, index);
        }

        /** A cursor of {@link #cursor()}; refused as invalid for anything else. Null when absent. */
        public static Position decode(String cursor) {
            long[] parts = Cursor.decodeNumbers(cursor, CURSOR, 2);
            if (parts == null) {
                return null;
            }
            if (parts[0] < 1 || parts[1] > Integer.MAX_VALUE) {
                throw Cursor.invalid();
            }
            return new Position(parts[0] - 1, (int) parts[1]);
        }
    }

    /**
     * One bounded read: items in t order (whole transactions, the last one possibly a part), where
     * the next read starts, and whether the read stopped at a bound (more may follow at once).
     */
    public record Slice(List<TxView> items, Position next, boolean full) {
    }

    public long basisT() {
        return store.db().basisT();
    }

    /** The lineage positions are read in ({@link DatomicStore#lineage}). */
    public String lineage() {
        return store.lineage();
    }

    /**
     * A position as handed out: a t (or, inside a transaction, its cursor), then {@code @} and the
     * lineage it was read in, so that it is never taken for a position of another database.
     */
    public String text(Position position) {
        String cursor = position.cursor();
        return (cursor != null ? cursor : Long.toString(position.after())) + "@" + store.lineage();
    }

    /**
     * The one reader of a position a client hands back ({@code name}: its parameter or header): a t
     * ({@link AsOf#t}'s rule) or, where {@code cursors}, a cursor from inside a transaction, either
     * optionally followed by {@code @} and a lineage, as {@link #text} writes it. Malformed: refused
     * as invalid. Read in another lineage, or past this database's basis (after asking the
     * transactor, see {@link DatomicStore#reaching}): {@link Elsewhere}, which a page answers as
     * invalid and the stream as a reset. A bare t is taken to be of this lineage, as before lineages.
     */
    public Position resume(String name, String text, boolean cursors) {
        return resume(name, text, cursors, false);
    }

    /**
     * As {@link #resume(String, String, boolean)}; with {@code future}, a position of this lineage
     * past what this process holds (it is not the writer: see {@link DatomicStore#reaching}) is
     * taken as a point still to come — a stream starts there and waits — instead of refused.
     */
    public Position resume(String name, String text, boolean cursors, boolean future) {
        String value = text == null ? "" : text;
        int at = value.lastIndexOf('@');
        String given = at < 0 ? value : value.substring(0, at);
        Position position;
        if (cursors && !given.isEmpty() && !given.chars().allMatch(c -> c >= '0' && c <= '9')) {
            try {
                position = Position.decode(given);
            } catch (Refusal notACursor) {
                throw malformed(name);
            }
        } else {
            position = Position.after(AsOf.t(name, given));
        }
        if (at >= 0 && !LINEAGE.matcher(value.substring(at + 1)).matches()) {
            throw malformed(name);
        }
        if (at >= 0 && !value.substring(at + 1).equals(store.lineage())) {
            throw new Elsewhere(name, name + " was read in another database (lineage " + shown(value.substring(at + 1))
                    + "; this one is " + store.lineage() + "): the database started again or is another one, and its"
                    + " positions mean something else here; start again from the beginning (after=0)");
        }
        try {
            store.reaching(position.index() > 0 ? position.after() + 1 : position.after(), name);
        } catch (Refusal beyond) {
            if (beyond.reason().retryable()) {
                if (future) {
                    return position;
                }
                throw beyond;
            }
            throw new Elsewhere(name, beyond.detail() + "; if the database started again, start again from the"
                    + " beginning (after=0)");
        }
        return position;
    }

    /** A lineage as {@link dev.asof.datomic.Lineage} writes it. */
    private static final java.util.regex.Pattern LINEAGE = java.util.regex.Pattern.compile("[0-9a-f]{16}");

    private static Refusal malformed(String name) {
        return Refusal.invalid("Parameter " + name + " is not a position asof handed out: a t (such as 1042) or a"
                + " part's cursor, optionally followed by @ and a lineage (1042@5e1b0c4d9a7f3e21); pass it back unchanged",
                List.of(new FieldError(null, null, name, "is not a position asof handed out")));
    }

    private static String shown(String lineage) {
        return lineage.length() > 20 ? lineage.substring(0, 20) + "…" : lineage;
    }

    /**
     * A position that names no point of this database: read in another lineage, or past the basis.
     * Invalid, naming the parameter; a stream answers it with a reset instead, since an
     * EventSource cannot read a problem from a failed reconnection.
     */
    public static final class Elsewhere extends Refusal {
        Elsewhere(String name, String detail) {
            super(Reason.INVALID, "Position not in this database", detail,
                    List.of(new FieldError(null, null, name, "names no point of this database")), null);
        }
    }

    /** The bound of every page and stream step (asof.changes.page-datoms, asof.changes.page-bytes). */
    public Bound bound() {
        return bound;
    }

    /**
     * What the transaction at {@code t} recorded, from datom {@code index} on (0: from the start),
     * within {@link #bound()}: a transaction larger than that comes as a part whose cursor resumes
     * where it ends.
     */
    public TxView transaction(long t, int index) {
        Database db = store.reaching(t, "t");
        if (t <= 0) {
            throw Refusal.notFound("No transaction at t=" + t + " (basis t=" + db.basisT() + ")");
        }
        Log log = store.connection().log();
        for (Object item : log.txRange(t, t + 1)) {
            Map<?, ?> tx = (Map<?, ?>) item;
            if (((Number) tx.get(Log.T)).longValue() == t) {
                List<?> data = datoms(tx);
                Described described = describe(db, t, data, Math.min(index, data.size()), bound.datoms(),
                        bound.bytes() - ENVELOPE_BYTES, true);
                return described.view() != null ? described.view()
                        : new TxView(t, described.instant(), List.of(), described.sources(), List.of(), described.part());
            }
        }
        throw Refusal.notFound("No transaction at t=" + t);
    }

    /**
     * Transactions from {@code from} that recorded events, in order: at most {@code limit} items
     * and within {@code bound} (always at least one datom, so that every read moves on).
     * Transactions of asof's own (the schema) are skipped.
     */
    public Slice read(Position from, int limit, Bound bound) {
        Database db = store.db();
        long basis = db.basisT();
        List<TxView> items = new ArrayList<>(Math.min(limit, 64));
        Position next = from;
        if (from.after() >= basis) {
            return new Slice(items, next, false);
        }
        int datoms = 0;
        long bytes = ENVELOPE_BYTES;
        boolean first = true;
        for (Object entry : store.connection().log().txRange(from.after() + 1, null)) {
            Map<?, ?> tx = (Map<?, ?>) entry;
            long t = ((Number) tx.get(Log.T)).longValue();
            if (t > basis) {
                break;
            }
            if (items.size() == limit || datoms >= bound.datoms() || bytes >= bound.bytes()) {
                return new Slice(items, next, true);
            }
            List<?> data = datoms(tx);
            int start = first && t == from.after() + 1 ? Math.min(from.index(), data.size()) : 0;
            first = false;
            // Only the first transaction of a read may be split (it alone passes the bound): any
            // later one that does not fit whole is left to the next read, so that a client that
            // resumes by after= sees whole transactions whenever one fits a page.
            boolean alone = items.isEmpty();
            if (!alone && data.size() - start > bound.datoms() - datoms) {
                return new Slice(items, next, true);
            }
            Described described = describe(db, t, data, start, bound.datoms() - datoms, bound.bytes() - bytes, alone);
            if (!alone && described.read() < data.size() - start) {
                return new Slice(items, next, true);
            }
            datoms += described.read();
            bytes += described.bytes();
            if (described.view() != null) {
                items.add(described.view());
            }
            int end = start + described.read();
            if (end < data.size()) {
                return new Slice(items, new Position(t - 1, end), true);
            }
            next = Position.after(t);
        }
        return new Slice(items, next, false);
    }

    /**
     * Whole transactions after {@code after} that recorded events, in order: at most {@code limit},
     * and no more once they hold {@link #bound()}'s datoms (at least one transaction, however large).
     * For consumers that take a transaction whole (the Kafka change stream: one message each).
     */
    public List<TxView> after(long after, int limit) {
        Database db = store.db();
        List<TxView> changes = new ArrayList<>(Math.min(limit, 64));
        if (after >= db.basisT()) {
            return changes;
        }
        int datoms = 0;
        for (Object item : store.connection().log().txRange(after + 1, null)) {
            Map<?, ?> tx = (Map<?, ?>) item;
            long t = ((Number) tx.get(Log.T)).longValue();
            if (t > db.basisT() || (!changes.isEmpty() && datoms >= bound.datoms())) {
                break;
            }
            List<?> data = datoms(tx);
            Described described = describe(db, t, data, 0, Integer.MAX_VALUE, Long.MAX_VALUE, true);
            if (described.view() != null) {
                changes.add(described.view());
                datoms += data.size();
                if (changes.size() == limit) {
                    break;
                }
            }
        }
        return changes;
    }

    private static List<?> datoms(Map<?, ?> tx) {
        Collection<?> data = (Collection<?>) tx.get(Log.DATA);
        return data instanceof List<?> list ? list : new ArrayList<>(data);
    }

    /**
     * What part of a transaction was described: the view (null when it shows nothing: no event, no
     * change), how many datoms were read and the bytes the view takes in JSON.
     */
    private record Described(TxView view, int read, long bytes, Instant instant, List<String> sources, TxView.Part part) {
    }

    /**
     * Describes the transaction's datoms from {@code start} on, stopping before the datom that
     * would pass {@code datomBudget} datoms or {@code byteBudget} bytes; with {@code mustProgress}
     * it takes at least one datom whatever its size.
     */
    private Described describe(Database db, long t, List<?> data, int start, long datomBudget, long byteBudget,
            boolean mustProgress) {
        Object txId = Peer.toTx(t);
        Instant instant = null;
        Set<String> sourceSet = new LinkedHashSet<>();
        for (Object o : data) {
            Datom datom = (Datom) o;
            if (datom.e().equals(txId)) {
                Object attr = db.ident(datom.a());
                if (Attr.TX_INSTANT.equals(attr)) {
                    instant = ((Date) datom.v()).toInstant();
                } else if (Attr.TX_SOURCES.equals(attr)) {
                    sourceSet.add((String) datom.v());
                }
            }
        }
        List<String> sources = new ArrayList<>(sourceSet);
        int n = data.size();
        // The item without events and changes, with the longest part it could carry: what an item costs besides its entries.
        long bytes = size(new TxView(t, instant, List.of(), sources, List.of(),
                new TxView.Part(n, n, n, true, text(new Position(t - 1, Math.max(n, 1)))))) + 1;
        if (!mustProgress && (bytes > byteBudget || datomBudget <= 0)) {
            return new Described(null, 0, 0, instant, sources, null);
        }
        Database after = db.asOf(t);
        Database before = db.asOf(t - 1);
        List<TxView.EventRef> events = new ArrayList<>();
        List<TxView.Change> changes = new ArrayList<>();
        TxView.Erasure erasure = null;
        Map<Object, Map<String, Object>> names = new HashMap<>();
        int read = 0;
        for (int i = start; i < n; i++) {
            boolean progressed = read > 0 || !mustProgress;
            if (read >= datomBudget && progressed) {
                break;
            }
            Object entry = entry(db, after, before, txId, (Datom) data.get(i), names);
            if (entry != null) {
                long size = size(entry) + 1;
                if (bytes + size > byteBudget && progressed) {
                    break;
                }
                bytes += size;
                if (entry instanceof TxView.EventRef event) {
                    events.add(event);
                } else if (entry instanceof TxView.Erasure notice) {
                    erasure = notice;
                } else {
                    changes.add((TxView.Change) entry);
                }
            }
            read++;
        }
        int end = start + read;
        TxView.Part part = start == 0 && end == n ? null
                : new TxView.Part(start, end, n, end < n, text(new Position(t - 1, end)));
        if (part != null && !part.more()) {
            part = new TxView.Part(start, end, n, false, null);
        }
        TxView view = events.isEmpty() && changes.isEmpty() && erasure == null ? null
                : new TxView(t, instant, events, sources, changes, part, erasure);
        return new Described(view, read, bytes, instant, sources, part);
    }

    /**
     * One datom told in domain terms: an {@link TxView.EventRef}, a {@link TxView.Change}, an
     * erasure's notice ({@link TxView.Erasure}), or null (nothing to tell).
     */
    private static Object entry(Database db, Database after, Database before, Object txId, Datom datom,
            Map<Object, Map<String, Object>> names) {
        if (datom.e().equals(txId)) {
            return null;
        }
        Keyword attr = (Keyword) db.ident(datom.a());
        if (Attr.ERASURE_CUSTOMER.equals(attr)) {
            return new TxView.Erasure(CustomerErasure.transactions(after.entity(datom.e())));
        }
        if (Attr.EVENT_ID.equals(attr)) {
            Entity event = after.entity(datom.e());
            String subject = Facts.subject(event);
            return new TxView.EventRef((UUID) datom.v(), Facts.type(subject), PersonalData.shownSubject(subject),
                    (String) event.get(Attr.EVENT_SOURCE));
        }
        if (!"price".equals(attr.getNamespace()) && !"customer".equals(attr.getNamespace())
                || Attr.PRICE_PERIOD.equals(attr) || Attr.PRICE_CHANGED_BY.equals(attr)) {
            // :price/period only indexes a period by its end (effectiveUntil tells it); :price/changedBy
            // only dates a change that retracts (the retractions tell it, and the event is listed).
            return null;
        }
        Map<String, Object> entity = names.computeIfAbsent(datom.e(), e -> name(after, before, e));
        boolean erased = PersonalData.isErased(datom.v());
        return new TxView.Change(entity, attr.getName(), erased ? null : value(datom.v()), erased ? Boolean.TRUE : null,
                datom.added() ? "assert" : "retract");
    }

    /** The bytes of {@code value} in the JSON asof answers (the application's mapper, so the count is the answer's). */
    private long size(Object value) {
        Counter counter = new Counter();
        try {
            json.writeValue(counter, value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return counter.count;
    }

    private static final class Counter extends OutputStream {
        long count;

        @Override
        public void write(int b) {
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            count += len;
        }
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
                if (!PersonalData.isErased(customerId)) {
                    return Map.of("customerId", customerId);
                }
                Map<String, Object> name = new LinkedHashMap<>(); // in this order on every run (Map.of's is not)
                name.put("customerId", PersonalData.SHOWN_ERASED_ID);
                name.put("erased", true);
                return name;
            }
        }
        return Map.of();
    }

    private static Object value(Object v) {
        return v instanceof Date date ? date.toInstant() : v;
    }
}
