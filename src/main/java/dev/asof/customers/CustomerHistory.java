package dev.asof.customers;

import datomic.Database;
import datomic.Entity;
import datomic.Util;
import dev.asof.datomic.Attr;
import dev.asof.datomic.DatomicStore;
import dev.asof.datomic.Facts;
import dev.asof.http.ProblemException;
import jakarta.enterprise.context.ApplicationScoped;

/** Answers customer questions from one database value. */
@ApplicationScoped
public class CustomerHistory {
    private final DatomicStore store;

    public CustomerHistory(DatomicStore store) {
        this.store = store;
    }

    public CustomerView current(String customerId) {
        return at(store.db(), customerId);
    }

    static CustomerView at(Database db, String customerId) {
        Object lookup = Util.list(Attr.CUSTOMER_ID, customerId);
        Object e = db.entid(lookup);
        if (e == null) {
            throw ProblemException.notFound("No customer " + customerId);
        }
        Entity customer = db.entity(e);
        long t = Facts.lastT(db, e);
        return new CustomerView(customerId,
                (String) customer.get(Attr.CUSTOMER_NAME),
                (String) customer.get(Attr.CUSTOMER_EMAIL),
                (String) customer.get(Attr.CUSTOMER_TIER),
                (String) customer.get(Attr.CUSTOMER_COUNTRY),
                (String) customer.get(Attr.CUSTOMER_CITY),
                t, Facts.txInstant(db, t), db.basisT());
    }
}
