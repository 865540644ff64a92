package dev.asof.customers;

import clojure.lang.Keyword;
import datomic.Database;
import datomic.Datom;
import datomic.Entity;
import datomic.Peer;
import datomic.Util;
import dev.asof.config.AsofConfig;
import dev.asof.core.Refusal;
import dev.asof.datomic.Attr;
import dev.asof.datomic.DatomicStore;
import dev.asof.datomic.PersonalData;
import dev.asof.erasure.Erasures;
import dev.asof.datomic.EventHistory;
import java.time.Instant;
import dev.asof.datomic.Facts;
import dev.asof.datomic.TimeTravel;
import dev.asof.datomic.TimeTravel.Basis;
import dev.asof.core.AsOf;
import dev.asof.core.Page;
import dev.asof.core.SystemTimeRange;
import dev.asof.datomic.Answer;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/** Answers customer questions from one database value. */
@ApplicationScoped
public class CustomerHistory {
    private final TimeTravel time;
    private final DatomicStore store;
    private final int scan;
    private final Erasures erasures;

    public CustomerHistory(TimeTravel time, DatomicStore store, AsofConfig config, Erasures erasures) {
        this.time = time;
        this.store = store;
        this.scan = config.reads().scan();
        this.erasures = erasures;
    }

    /**
     * The customer as known at {@code asOf}.
     *
     * @throws Refusal gone (410) at any {@code asOf} once the customer was erased: its personal data
     *         is in no database value any more; not found when no customer had the id then
     */
    public Answer<CustomerView> at(String customerId, AsOf asOf) {
        refuseErased(customerId);
        Basis basis = time.resolve(asOf);
        Database db = basis.db();
        Object e = db.entid(Util.list(Attr.CUSTOMER_ID, customerId));
        if (e == null) {
            refuseErased(customerId); // erased between the check above and this read: gone, not absent
            throw Refusal.notFound("No customer " + customerId + " as known at t=" + basis.t());
        }
        Entity customer = db.entity(e);
        long t = Facts.lastT(db, e);
        return new Answer<>(new CustomerView(customerId,
                (String) customer.get(Attr.CUSTOMER_NAME),
                (String) customer.get(Attr.CUSTOMER_EMAIL),
                (String) customer.get(Attr.CUSTOMER_TIER),
                (String) customer.get(Attr.CUSTOMER_COUNTRY),
                (String) customer.get(Attr.CUSTOMER_CITY),
                t, Facts.txInstant(db, t), basis.t(), basis.instant()), basis);
    }

    /** Refuses, as gone, a customer whose personal data was erased: when, at which t, by whose request it says not. */
    private void refuseErased(String customerId) {
        erasures.find(store.db(), customerId).ifPresent(erased -> {
            throw new Refusal(Refusal.Reason.GONE, "Customer erased", "Customer " + customerId + "'s personal data was"
                    + " erased at " + erased.erasedAt() + " (t=" + erased.t() + "): no database value holds it, at any asOf");
        });
    }

    /** The customer attributes a history lists, by the names it gives them. */
    private static final Map<String, Keyword> ATTRIBUTES = Map.of("id", Attr.CUSTOMER_ID, "name", Attr.CUSTOMER_NAME,
            "email", Attr.CUSTOMER_EMAIL, "tier", Attr.CUSTOMER_TIER, "country", Attr.CUSTOMER_COUNTRY,
            "city", Attr.CUSTOMER_CITY);

    /**
     * Attribute-level changes of the customer, across deletions and re-creations: for each of its
     * events that changed something (in t order, one page at a time, {@link EventHistory}; events
     * that changed nothing are out of the index, but for those recorded before they left it, of
     * which a page reads at most asof.reads.scan), the attributes that changed.
     */
    public Answer<Page<CustomerChange>> history(String customerId, SystemTimeRange range, int limit, String cursor) {
        Basis basis = time.resolve(null);
        Database db = basis.db();
        if (erasures.find(db, customerId).isPresent()) {
            // Erased: its facts name it by the placeholder of its id; each change shows as erased, without its value.
            customerId = PersonalData.erasedId(customerId);
        }
        // Every entity that ever held this id (one per re-creation), read once for the page.
        List<Object> held = new ArrayList<>();
        db.history().datoms(Database.AVET, Attr.CUSTOMER_ID, customerId).forEach(datom -> held.add(datom.e()));
        Page<CustomerChange> page = EventHistory.page(db, store.txIndex(), Attr.EVENT_SUBJECT, "customer:" + customerId,
                range, cursor, "customer-history@" + store.lineage(), limit, scan, (t, event) -> changes(db, held, t, event));
        return new Answer<>(page, basis);
    }

    /** What one event (the only one of this customer in its transaction) did to the customer: each attribute retracted and asserted. */
    private static List<CustomerChange> changes(Database db, List<Object> held, long t, Datom event) {
        Database before = db.asOf(t - 1);
        Database after = db.asOf(t);
        // Which of them held it just before and just after t, read as entities on the asOf values:
        // a lookup there would filter the whole index, an entity only its own facts.
        Entity then = null;
        Entity now = null;
        for (Object e : held) {
            if (then == null && before.entity(e).get(Attr.CUSTOMER_ID) != null) {
                then = before.entity(e);
            }
            if (now == null && after.entity(e).get(Attr.CUSTOMER_ID) != null) {
                now = after.entity(e);
            }
        }
        Instant txInstant = Facts.txInstant(db, t);
        long eventEntity = (Long) event.e();
        UUID eventId = (UUID) db.entity(eventEntity).get(Attr.EVENT_ID);
        List<CustomerChange> changes = new ArrayList<>();
        Entity thenEntity = then;
        Entity nowEntity = now;
        ATTRIBUTES.forEach((name, attr) -> {
            Object old = thenEntity == null ? null : thenEntity.get(attr);
            Object value = nowEntity == null ? null : nowEntity.get(attr);
            if (old != null && !old.equals(value)) {
                changes.add(CustomerChange.of(t, txInstant, name, old, "retract", eventId, eventEntity));
            }
            if (value != null && !value.equals(old)) {
                changes.add(CustomerChange.of(t, txInstant, name, value, "assert", eventId, eventEntity));
            }
        });
        return changes;
    }
}
