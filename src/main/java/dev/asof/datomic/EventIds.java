package dev.asof.datomic;

import datomic.Database;
import datomic.Datom;
import datomic.Peer;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/** Which event caused a change: events record their subject, and the batch cut keeps one event per subject per transaction. */
public final class EventIds {
    private EventIds() {
    }

    /** For one subject ({@code price:…} or {@code customer:…}): the event id of each t that changed it. */
    public static Map<Long, UUID> bySubjectTx(Database db, String subject) {
        Map<Long, UUID> events = new HashMap<>();
        for (Datom datom : db.datoms(Database.AVET, Attr.EVENT_SUBJECT, subject)) {
            events.put(Peer.toT(datom.tx()), (UUID) db.entity(datom.e()).get(Attr.EVENT_ID));
        }
        return events;
    }
}
