package dev.asof.datomic;

import datomic.Database;
import datomic.Datom;
import datomic.Entity;
import datomic.Peer;
import java.time.Instant;
import java.util.Date;

/** The few questions every reader asks of a database value. */
public final class Facts {
    private Facts() {
    }

    /** When the transaction at {@code t} was recorded. */
    public static Instant txInstant(Database db, long t) {
        Date date = (Date) db.entity(Peer.toTx(t)).get(Attr.TX_INSTANT);
        return date == null ? null : date.toInstant();
    }

    /**
     * What a recorded event is about: {@code price:} and its version's {@code :price/key}, or
     * {@code customer:} and the customer's id — also when it changed nothing, and so names them
     * with the unindexed {@code :event/unchangedSku} or {@code :event/unchangedSubject}. A price
     * event names its version by SKU and valid time; events recorded before
     * {@code :event/effectiveAt} existed hold the subject itself.
     */
    public static String subject(Entity event) {
        Date effectiveAt = (Date) event.get(Attr.EVENT_EFFECTIVE_AT);
        if (effectiveAt != null) {
            Object sku = event.get(Attr.EVENT_SKU);
            if (sku == null) {
                sku = event.get(Attr.EVENT_UNCHANGED_SKU);
            }
            return "price:" + PriceKeys.of((String) sku, effectiveAt.getTime());
        }
        Object subject = event.get(Attr.EVENT_SUBJECT);
        return (String) (subject != null ? subject : event.get(Attr.EVENT_UNCHANGED_SUBJECT));
    }

    /** {@code price} or {@code customer}: what kind of event recorded {@code subject}. */
    public static String type(String subject) {
        return subject.substring(0, subject.indexOf(':'));
    }

    /**
     * The t of the newest transaction that changed entity {@code e} in {@code db} — asserted or
     * retracted any of its facts (a change that only clears a field counts); 0 when there is none.
     */
    public static long lastT(Database db, Object e) {
        return newestT(db.history().datoms(Database.EAVT, e));
    }

    private static long newestT(Iterable<Datom> datoms) {
        long tx = 0;
        for (Datom datom : datoms) {
            tx = Math.max(tx, (Long) datom.tx());
        }
        return tx == 0 ? 0 : Peer.toT(tx);
    }
}
