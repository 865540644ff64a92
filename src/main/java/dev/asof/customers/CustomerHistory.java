package dev.asof.customers;

import clojure.lang.Keyword;
import datomic.Database;
import datomic.Datom;
import datomic.Entity;
import datomic.Peer;
import datomic.Util;
import dev.asof.datomic.Attr;
import dev.asof.datomic.EventIds;
import dev.asof.datomic.Facts;
import dev.asof.datomic.TimeTravel;
import dev.asof.datomic.TimeTravel.Basis;
import dev.asof.http.AsOf;
import dev.asof.http.Page;
import dev.asof.http.ProblemException;
import dev.asof.http.SystemTimeRange;
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

    public CustomerHistory(TimeTravel time) {
        this.time = time;
    }

    public Answer<CustomerView> at(String customerId, AsOf asOf) {
        Basis basis = time.resolve(asOf);
        Database db = basis.db();
        Object e = db.entid(Util.list(Attr.CUSTOMER_ID, customerId));
        if (e == null) {
            throw ProblemException.notFound("No customer " + customerId + " as known at t=" + basis.t());
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

    /** Attribute-level changes of the customer, across deletions and re-creations. */
    public Answer<Page<CustomerChange>> history(String customerId, SystemTimeRange range, int limit, String cursor) {
        Basis basis = time.resolve(null);
        Database db = basis.db();
        Database history = db.history();
        Set<Object> entities = new LinkedHashSet<>();
        for (Datom datom : history.datoms(Database.AVET, Attr.CUSTOMER_ID, customerId)) {
            entities.add(datom.e());
        }
        Map<Long, UUID> events = EventIds.bySubjectTx(db, "customer:" + customerId);
        List<CustomerChange> changes = new ArrayList<>();
        for (Object e : entities) {
            for (Datom datom : history.datoms(Database.EAVT, e)) {
                Keyword attr = (Keyword) db.ident(datom.a());
                if (!"customer".equals(attr.getNamespace())) {
                    continue;
                }
                long t = Peer.toT(datom.tx());
                changes.add(new CustomerChange(t, Facts.txInstant(db, t), attr.getName(), datom.v(),
                        datom.added() ? "assert" : "retract", events.get(t)));
            }
        }
        return new Answer<>(range.page(changes, cursor, "customer-history", limit), basis);
    }
}
