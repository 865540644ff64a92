package dev.asof.ingest;

import datomic.Database;
import datomic.Datom;
import datomic.Peer;
import datomic.Util;
import dev.asof.datomic.Attr;
import dev.asof.datomic.Facts;
import dev.asof.datomic.PersonalData;
import dev.asof.core.Refusal;
import dev.asof.datomic.PriceKeys;
import dev.asof.datomic.PriceVersion;
import dev.asof.events.CustomerEvent;
import dev.asof.events.PriceEvent;
import dev.asof.events.Received;
import dev.asof.ingest.IngestQueue.Pending;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * Decides what one transaction holds; the one home of the batching rules. Takes events in queue
 * order; one that would touch an entity (or repeat an event id) already in the batch waits for the
 * next transaction (Datomic would reject two values for one cardinality-one attribute, and one
 * version would be lost), and so does every later event of that entity — and, for a price version,
 * every later event of its SKU ({@code Received#orderKey}) — so each entity's events, and each
 * SKU's, keep the order they were sent in (a SKU's history reads in that order; an export loaded
 * elsewhere replays it). Events of other entities still fill the batch: a hot SKU does not shrink
 * everyone's transactions, and a long chain of versions of one entity (a bulk load of one SKU)
 * goes one version a transaction while everyone else's events ride along. Events already in the
 * database are resolved here: the same content is a duplicate with its original t, different
 * content fails its request (a conflict).
 *
 * <p><b>Atomic requests.</b> A request of at most the max batch that names each entity and event
 * id once (the README calls it atomic) is placed whole in one transaction, or waits whole: when
 * the batch has no room for all of it, or when any of its events would have to wait (its entity or
 * id already taken in this batch, or waiting), none of it goes. A larger request, or one naming an
 * entity twice, is cut event by event.
 *
 * <p>The input holds each request's events together, in order (the queue hands requests over
 * whole, and the leftover keeps input order), which is what lets a request be judged as a run.
 */
final class BatchPlan {
    final List<Pending> batch = new ArrayList<>();
    final List<Pending> leftover = new ArrayList<>();
    /** Event ids (UUID) and subjects (String) in the batch. */
    private final Set<Object> taken = new HashSet<>();
    /** Event ids and subjects of the leftover: later events of theirs wait too. */
    private final Set<Object> waiting = new HashSet<>();
    /**
     * Requests cut event by event that left events waiting without their keys in {@link #waiting}:
     * a later event that shares a key with any event of theirs waits (a superset, so order holds).
     */
    private final List<Submission> waitingWhole = new ArrayList<>();
    /** Events whose keys this cut looked up: its work (a test counts it). */
    int lookups;

    private BatchPlan() {
    }

    /** Cuts at most {@code max} events from {@code input} (each request's events together, in queue order). */
    static BatchPlan cut(Database db, List<Pending> input, int max) {
        BatchPlan plan = new BatchPlan();
        int n = input.size();
        for (int from = 0, to; from < n; from = to) {
            if (plan.batch.size() >= max) {
                // Full: whatever is left can only wait, in order, and nothing after it is placed
                // now, so nothing needs its keys. A long carry costs a copy here, not a scan.
                plan.leftover.addAll(input.subList(from, n));
                break;
            }
            Submission submission = input.get(from).submission();
            to = from + 1;
            while (to < n && input.get(to).submission() == submission) {
                to++;
            }
            if (submission.failed()) {
                continue;
            }
            List<Pending> run = input.subList(from, to);
            if (atomic(submission, max)) {
                plan.placeWhole(db, run, max);
            } else {
                plan.placeEach(db, run, max);
            }
        }
        plan.batch.removeIf(p -> p.submission().failed());
        return plan;
    }

    /** At most {@code max} events, no entity and no event id twice: one transaction, all or nothing. */
    static boolean atomic(Submission submission, int max) {
        List<Received> events = submission.events();
        if (events.size() > max) {
            return false;
        }
        Set<Object> keys = new HashSet<>();
        for (Received received : events) {
            if (!keys.add(received.event().id()) || !keys.add(received.subject())) {
                return false;
            }
        }
        return true;
    }

    private void placeWhole(Database db, List<Pending> run, int max) {
        boolean waits = batch.size() + run.size() > max;
        for (int i = 0; i < run.size() && !waits; i++) {
            waits = blocked(run.get(i));
        }
        if (waits) {
            run.forEach(this::wait);
            return;
        }
        run.forEach(pending -> place(db, pending));
    }

    /**
     * An event behind an earlier one of its own request (a chain of versions of one entity) waits
     * without a look at its keys, and the request's keys then stand for it: the cut of a long
     * chain costs a copy per waiting event, not a lookup in every set.
     */
    private void placeEach(Database db, List<Pending> run, int max) {
        Submission submission = run.get(0).submission();
        boolean behindItself = false;
        for (Pending pending : run) {
            if (submission.waitsForItsOwn(pending.index())) {
                leftover.add(pending);
                // Later events of its SKU (other versions) wait behind it too, in this request or another.
                waiting.add(pending.received().orderKey());
                behindItself = true;
            } else if (batch.size() >= max || blocked(pending)) {
                wait(pending);
            } else {
                place(db, pending);
            }
        }
        if (behindItself) {
            waitingWhole.add(submission);
        }
    }

    private boolean blocked(Pending pending) {
        lookups++;
        Object id = pending.received().event().id();
        String subject = pending.received().subject();
        if (taken.contains(id) || taken.contains(subject) || waiting.contains(id) || waiting.contains(subject)
                || waiting.contains(pending.received().orderKey())) {
            return true;
        }
        for (Submission ahead : waitingWhole) {
            if (ahead.keys().contains(id) || ahead.keys().contains(subject)) {
                return true;
            }
        }
        return false;
    }

    private void wait(Pending pending) {
        leftover.add(pending);
        waiting.add(pending.received().event().id());
        waiting.add(pending.received().subject());
        waiting.add(pending.received().orderKey());
    }

    private void place(Database db, Pending pending) {
        taken.add(pending.received().event().id());
        if (resolvedAlready(db, pending) || withdrawsNothing(db, pending) || erased(db, pending)) {
            return;
        }
        taken.add(pending.received().subject());
        batch.add(pending);
    }

    /**
     * True for a withdrawal of a version {@code db} does not hold (never sent, or withdrawn
     * already): its request fails, naming the version. {@code db} is the database the batch applies
     * to, and the cut keeps one event a version in it, so the version is as the withdrawal finds it.
     */
    private static boolean withdrawsNothing(Database db, Pending pending) {
        if (!(pending.received().event() instanceof PriceEvent price) || !price.isWithdrawal()
                || PriceVersion.in(db, PriceKeys.of(price.sku(), price.effectiveAt().toEpochMilli())).exists()) {
            return false;
        }
        pending.submission().fail(pending.index(), new Refusal(Refusal.Reason.CONFLICT, "Nothing to withdraw",
                "SKU " + price.sku() + " has no version that starts at " + price.effectiveAt()
                        + " (as known now: never sent, or withdrawn already); nothing was withdrawn"));
        return true;
    }

    /**
     * True for an event about a customer whose personal data was erased (issue 24): its request fails
     * as gone, nothing of it recorded — an erased id is not taken again, so a late or replayed copy
     * of the customer's events cannot bring the data back. {@code db} is the database the batch
     * applies to: an erasure runs on this writer between batches, so none slips past it.
     */
    private static boolean erased(Database db, Pending pending) {
        if (!(pending.received().event() instanceof CustomerEvent customer)
                || db.entid(Util.list(Attr.ERASURE_CUSTOMER, PersonalData.digest(customer.customerId()))) == null) {
            return false;
        }
        // The detail does not repeat the id: it may name a person, and refusals are logged and dead-lettered.
        pending.submission().fail(pending.index(), new Refusal(Refusal.Reason.GONE, "Customer erased",
                "This event's customer was erased; an erased customer's id is not taken again, and nothing of this"
                        + " event was recorded"));
        return true;
    }

    /**
     * True when the event's id is already in the database; the submission is told what happened.
     * An event of an erased customer has no hash left to compare ({@link PersonalData#ERASED_HASH}):
     * sent again, it is a duplicate with its original t, as its content cannot have changed what
     * was erased.
     */
    private static boolean resolvedAlready(Database db, Pending pending) {
        Iterator<Datom> found = db.datoms(Database.AVET, Attr.EVENT_ID, pending.received().event().id()).iterator();
        if (!found.hasNext()) {
            return false;
        }
        Datom datom = found.next();
        Object hash = db.entity(datom.e()).get(Attr.EVENT_HASH);
        if (pending.received().hash().equals(hash) || PersonalData.ERASED_HASH.equals(hash)) {
            long t = Peer.toT(datom.tx());
            pending.submission().duplicate(pending.index(), t, Facts.txInstant(db, t));
        } else {
            pending.submission().fail(pending.index(), new Refusal(Refusal.Reason.CONFLICT, "Event id reused",
                    "Event " + pending.received().event().id() + " was already recorded with different content (t="
                            + Peer.toT(datom.tx()) + "); send new content under a new id"));
        }
        return true;
    }

}
