package dev.asof.datomic;

import datomic.Database;
import datomic.Datom;
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

    /** The t of the newest transaction that asserted any current fact about entity {@code e}; 0 when there is none. */
    public static long lastT(Database db, Object e) {
        long tx = 0;
        for (Datom datom : db.datoms(Database.EAVT, e)) {
            tx = Math.max(tx, (Long) datom.tx());
        }
        return tx == 0 ? 0 : Peer.toT(tx);
    }
}
