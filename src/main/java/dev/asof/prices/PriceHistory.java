package dev.asof.prices;

import datomic.Database;
import datomic.Datom;
import datomic.Entity;
import dev.asof.datomic.Attr;
import dev.asof.datomic.DatomicStore;
import dev.asof.datomic.Facts;
import dev.asof.http.ProblemException;
import jakarta.enterprise.context.ApplicationScoped;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Date;

/**
 * Answers price questions from one database value. A SKU's versions are entities keyed
 * {@code sku@effectiveAt}; the AVET index keeps them in valid-time order, so the version in force
 * at a moment is the last key at or before it.
 */
@ApplicationScoped
public class PriceHistory {
    private final DatomicStore store;

    public PriceHistory(DatomicStore store) {
        this.store = store;
    }

    /** The price of {@code sku} in force now, as the service knows it now. */
    public PriceView current(String sku) {
        Database db = store.db();
        return inForce(db, sku, Instant.now());
    }

    static PriceView inForce(Database db, String sku, Instant validAt) {
        String from = sku + "@";
        String to = PriceKeys.of(sku, validAt.toEpochMilli() + 1);
        Object last = null;
        for (Datom datom : db.indexRange(Attr.PRICE_KEY, from, to)) {
            last = datom.e();
        }
        if (last == null) {
            throw ProblemException.notFound("No price for SKU " + sku + " is in force at " + validAt);
        }
        Entity version = db.entity(last);
        long t = Facts.lastT(db, last);
        return new PriceView(sku,
                (BigDecimal) version.get(Attr.PRICE_AMOUNT),
                (String) version.get(Attr.PRICE_CURRENCY),
                ((Date) version.get(Attr.PRICE_EFFECTIVE_AT)).toInstant(),
                t, Facts.txInstant(db, t), db.basisT());
    }
}
