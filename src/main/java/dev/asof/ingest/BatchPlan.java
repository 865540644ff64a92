package dev.asof.ingest;

import datomic.Database;
import datomic.Datom;
import datomic.Peer;
import dev.asof.datomic.Attr;
import dev.asof.datomic.Facts;
import dev.asof.http.ProblemException;
import dev.asof.prices.PriceKeys;
import dev.asof.ingest.IngestQueue.Pending;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Decides what one transaction holds. Takes events in queue order; one that would touch an entity
 * (or repeat an event id) already in the batch waits for the next transaction (Datomic would
 * reject two values for one cardinality-one attribute, and one version would be lost), and so does
 * every later event of that entity, so each entity's events keep their order. Events of other
 * entities still fill the batch: a hot SKU does not shrink everyone's transactions, and a long
 * chain of versions of one entity (a bulk load of one SKU) goes one version a transaction while
 * everyone else's events ride along. Events already in the database are settled here: the same
 * content is a duplicate with its original t, different content fails its request with 422.
 */
final class BatchPlan {
    final List<Pending> batch = new ArrayList<>();
    final List<Pending> leftover = new ArrayList<>();

    private BatchPlan() {
    }

    /**
     * Cuts at most {@code max} events from {@code input}, in order. A request that fits in one
     * transaction but not in the room this one has left waits whole for the next, so that it stays
     * atomic; a request larger than {@code max} is committed over several transactions anyway.
     */
    static BatchPlan cut(Database db, List<Pending> input, int max) {
        BatchPlan plan = new BatchPlan();
        Set<String> seen = new HashSet<>();
        Set<String> waiting = new HashSet<>();
        Set<Submission> deferred = new HashSet<>();
        Set<Submission> started = new HashSet<>();
        for (Pending pending : input) {
            Submission submission = pending.submission();
            if (submission.failed()) {
                continue;
            }
            Event event = pending.received().event();
            String idKey = event.id().toString();
            String subject = pending.received().subject();
            boolean fits = plan.batch.size() < max;
            if (fits && started.add(submission) && submission.events().size() <= max
                    && plan.batch.size() + submission.pendingCount() > max) {
                deferred.add(submission);
            }
            if (!fits || deferred.contains(submission)
                    || seen.contains(idKey) || seen.contains(subject) || waiting.contains(idKey) || waiting.contains(subject)) {
                plan.leftover.add(pending);
                waiting.add(idKey);
                waiting.add(subject);
                continue;
            }
            seen.add(idKey);
            if (settledAlready(db, pending)) {
                continue;
            }
            seen.add(subject);
            plan.batch.add(pending);
        }
        plan.batch.removeIf(p -> p.submission().failed());
        return plan;
    }

    /** What an event changes, as {@code :event/subject} records it. */
    static String subject(Event event) {
        if (event instanceof PriceEvent price) {
            return "price:" + priceKey(price);
        }
        return "customer:" + ((CustomerEvent) event).customerId();
    }

    /** {@code :price/key}: the SKU, then the valid time in a form that sorts as it reads. */
    static String priceKey(PriceEvent price) {
        return PriceKeys.of(price.sku(), price.effectiveAt().toEpochMilli());
    }

    /** True when the event's id is already in the database; the submission is told what happened. */
    private static boolean settledAlready(Database db, Pending pending) {
        Iterator<Datom> found = db.datoms(Database.AVET, Attr.EVENT_ID, pending.received().event().id()).iterator();
        if (!found.hasNext()) {
            return false;
        }
        Datom datom = found.next();
        Object hash = db.entity(datom.e()).get(Attr.EVENT_HASH);
        if (pending.received().hash().equals(hash)) {
            long t = Peer.toT(datom.tx());
            pending.submission().duplicate(pending.index(), t, Facts.txInstant(db, t));
        } else {
            pending.submission().fail(pending.index(), new ProblemException(422, "Event id reused",
                    "Event " + pending.received().event().id() + " was already recorded with different content (t="
                            + Peer.toT(datom.tx()) + "); send new content under a new id", null, Map.of()));
        }
        return true;
    }

}
