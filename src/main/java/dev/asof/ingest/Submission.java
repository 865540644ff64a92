package dev.asof.ingest;

import dev.asof.core.Refusal;
import dev.asof.events.Received;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/**
 * One request's events on their way through the queue, and the truth about each of them. Every
 * event ends in exactly one outcome — committed (its t), duplicate (the original t), failed (a
 * reason), or unknown (the journal could not confirm in time; it may yet be recorded) — and its queue permit is returned at that moment, not before or twice. When one event
 * fails, the request's events not yet committed fail with it ("not recorded because …"), so a
 * request is never committed piecemeal after a failure. When the last outcome is known the
 * request's future completes: with the result when nothing failed, with the failure's refusal when
 * nothing was recorded, and otherwise with a refusal that lists every event's outcome.
 *
 * <p>Who may resolve its events: exactly one owner at a time. While queued, nobody; then either the
 * transact worker, once it has {@link #take taken} it, or whoever {@link #withdraw withdrew} it
 * (its queue deadline, or the queue after the worker stopped). Taking and withdrawing race, and
 * exactly one of them wins, so a withdrawn request is never committed and its permits come back once.
 */
final class Submission {
    private enum State { PENDING, COMMITTED, DUPLICATE, FAILED, UNKNOWN }

    private static final int QUEUED = 0;
    private static final int TAKEN = 1;
    private static final int WITHDRAWN = 2;

    private final List<Received> events;
    private final IntConsumer release;
    private final State[] states;
    private final long[] ts;
    private final Instant[] instants;
    private final String[] reasons;
    private final boolean[] unchanged;
    private final CompletableFuture<IngestResult> done = new CompletableFuture<>();
    private Refusal failure;
    /** The batch plan's view of it, worked out once: see {@link #waitsForItsOwn}. */
    private int[] earlierSubject;
    private int[] earlierId;
    private Set<Object> keys;
    private int remaining;
    private final AtomicInteger claim = new AtomicInteger(QUEUED);
    /** Its deadline's withdrawal, cancelled when the worker takes it (set before it is queued). */
    private volatile Future<?> expiry;

    /** {@code release} gives back one queue permit per resolved event (its outcome known). */
    Submission(List<Received> events, IntConsumer release) {
        this.events = events;
        this.release = release;
        this.states = new State[events.size()];
        java.util.Arrays.fill(states, State.PENDING);
        this.ts = new long[events.size()];
        this.instants = new Instant[events.size()];
        this.reasons = new String[events.size()];
        this.unchanged = new boolean[events.size()];
        this.remaining = events.size();
    }

    List<Received> events() {
        return events;
    }

    /** This submission's events as the worker handles them, in order. */
    List<IngestQueue.Pending> pending() {
        List<IngestQueue.Pending> pending = new ArrayList<>(events.size());
        for (int i = 0; i < events.size(); i++) {
            pending.add(new IngestQueue.Pending(this, i));
        }
        return pending;
    }

    CompletableFuture<IngestResult> done() {
        return done;
    }

    void expiry(Future<?> withdrawal) {
        this.expiry = withdrawal;
    }

    /** The worker claims it; false when it was withdrawn first (the worker must then leave it alone). */
    boolean take() {
        if (!claim.compareAndSet(QUEUED, TAKEN)) {
            return false;
        }
        Future<?> withdrawal = expiry;
        if (withdrawal != null) {
            withdrawal.cancel(false);
        }
        return true;
    }

    /** Its deadline or the stopped queue claims it; false when the worker took it first. */
    boolean withdraw() {
        return claim.compareAndSet(QUEUED, WITHDRAWN);
    }

    /* Only its owner (see the class comment) calls the methods below. */

    /** True once one of its events failed: the rest are not to be committed. */
    boolean failed() {
        return failure != null;
    }

    /** Events still waiting for an outcome. */
    int pendingCount() {
        return remaining;
    }

    /** {@code unchanged}: recorded, but it changes nothing (said in its outcome). */
    void committed(int index, long t, Instant txInstant, boolean unchanged) {
        this.unchanged[index] = unchanged;
        resolve(index, State.COMMITTED, t, txInstant, null);
    }

    void duplicate(int index, long originalT, Instant originalInstant) {
        resolve(index, State.DUPLICATE, originalT, originalInstant, null);
    }

    /**
     * True when an earlier event of this request with the same subject or id has no outcome yet:
     * event {@code index} waits behind it (the batch plan skips it without looking further).
     */
    boolean waitsForItsOwn(int index) {
        if (earlierSubject == null) {
            earlierSubject = new int[events.size()];
            earlierId = new int[events.size()];
            keys = new HashSet<>();
            Map<Object, Integer> last = new HashMap<>();
            for (int i = 0; i < events.size(); i++) {
                Received received = events.get(i);
                earlierSubject[i] = last.getOrDefault(received.subject(), -1);
                earlierId[i] = last.getOrDefault(received.event().id(), -1);
                last.put(received.subject(), i);
                last.put(received.event().id(), i);
                keys.add(received.subject());
                keys.add(received.event().id());
            }
        }
        // Each subject's and id's events get their outcomes in order: the latest earlier one tells.
        return (earlierSubject[index] >= 0 && states[earlierSubject[index]] == State.PENDING)
                || (earlierId[index] >= 0 && states[earlierId[index]] == State.PENDING);
    }

    /** The subjects and event ids of all its events (after {@link #waitsForItsOwn} has been asked). */
    Set<Object> keys() {
        return keys;
    }

    /** Event {@code index} failed for {@code refusal}; every event still pending fails with it. */
    void fail(int index, Refusal refusal) {
        if (failure == null) {
            failure = refusal;
        }
        resolve(index, State.FAILED, 0, null, refusal.getMessage());
        failPending("not recorded because event " + index + " of this request failed: " + refusal.getMessage());
    }

    /** Every event still pending fails for {@code refusal} (the batch holding them failed, or the service stops). */
    void failAll(Refusal refusal) {
        if (failure == null) {
            failure = refusal;
        }
        failPending(refusal.getMessage());
    }

    /**
     * The events of {@code indexes} still pending have an unknown outcome ({@code refusal} says
     * why): they may yet be recorded. The request is answered now; a retry with the same ids tells.
     */
    void unknown(List<Integer> indexes, Refusal refusal) {
        if (failure == null) {
            failure = refusal;
        }
        for (int i : indexes) {
            resolve(i, State.UNKNOWN, 0, null, refusal.getMessage());
        }
        failPending("not attempted: the outcome of event " + indexes.get(0) + " of this request is unknown");
    }

    private void failPending(String reason) {
        for (int i = 0; i < states.length; i++) {
            if (states[i] == State.PENDING) {
                resolve(i, State.FAILED, 0, null, reason);
            }
        }
    }

    private void resolve(int index, State state, long t, Instant txInstant, String reason) {
        if (states[index] != State.PENDING) {
            return;
        }
        states[index] = state;
        ts[index] = t;
        instants[index] = txInstant;
        reasons[index] = reason;
        release.accept(1);
        if (--remaining == 0) {
            complete();
        }
    }

    private void complete() {
        List<IngestResult.EventOutcome> outcomes = new ArrayList<>(events.size());
        int last = -1;
        int recorded = 0;
        for (int i = 0; i < events.size(); i++) {
            var id = events.get(i).event().id();
            switch (states[i]) {
                case COMMITTED -> outcomes.add(new IngestResult.EventOutcome(id, IngestResult.CREATED, ts[i], null,
                        unchanged[i] ? Boolean.FALSE : null));
                case DUPLICATE -> outcomes.add(new IngestResult.EventOutcome(id, IngestResult.DUPLICATE, ts[i]));
                case UNKNOWN -> outcomes.add(new IngestResult.EventOutcome(id, IngestResult.UNKNOWN, null, reasons[i]));
                default -> outcomes.add(new IngestResult.EventOutcome(id, IngestResult.FAILED, null, reasons[i]));
            }
            if (states[i] == State.COMMITTED || states[i] == State.DUPLICATE) {
                recorded++;
                if (last < 0 || ts[i] > ts[last]) {
                    last = i;
                }
            }
        }
        if (failure == null) {
            done.complete(new IngestResult(ts[last], instants[last], outcomes));
        } else if (recorded == 0) {
            done.completeExceptionally(failure.withEvents(outcomes));
        } else {
            done.completeExceptionally(new Refusal(failure.reason(), "Partly recorded",
                    recorded + " of " + events.size() + " events are recorded (see events: created or duplicate, with"
                            + " their t); the others failed: " + failure.getMessage()
                            + ". Send the request again with the same event ids: recorded events answer duplicate",
                    null, failure.retryAfterSeconds()).withEvents(outcomes));
        }
    }
}
