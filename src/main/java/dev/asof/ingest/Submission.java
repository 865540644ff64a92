package dev.asof.ingest;

import dev.asof.http.ProblemException;
import dev.asof.ingest.EventReader.Received;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.IntConsumer;

/**
 * One request's events on their way through the queue, and the truth about each of them. Every
 * event ends in exactly one outcome — committed (its t), duplicate (the original t), failed (a
 * reason), or unknown (the journal could not confirm in time; it may yet be recorded) — and its queue permit is returned at that moment, not before or twice. When one event
 * fails, the request's events not yet committed fail with it ("not recorded because …"), so a
 * request is never committed piecemeal after a failure. When the last outcome is known the
 * request's future completes: with the result when nothing failed, with the failure's problem when
 * nothing was recorded, and otherwise with a problem that lists every event's outcome.
 */
final class Submission {
    private enum State { PENDING, COMMITTED, DUPLICATE, FAILED, UNKNOWN }

    private final List<Received> events;
    private final IntConsumer release;
    private final State[] states;
    private final long[] ts;
    private final Instant[] instants;
    private final String[] reasons;
    private final CompletableFuture<IngestResult> done = new CompletableFuture<>();
    private ProblemException failure;
    private int remaining;

    /** {@code release} gives back one queue permit per settled event. */
    Submission(List<Received> events, IntConsumer release) {
        this.events = events;
        this.release = release;
        this.states = new State[events.size()];
        java.util.Arrays.fill(states, State.PENDING);
        this.ts = new long[events.size()];
        this.instants = new Instant[events.size()];
        this.reasons = new String[events.size()];
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

    /* Only the transact worker calls the methods below (and the queue, once the worker has stopped). */

    /** True once one of its events failed: the rest are not to be committed. */
    boolean failed() {
        return failure != null;
    }

    /** Events still waiting for an outcome. */
    int pendingCount() {
        return remaining;
    }

    void committed(int index, long t, Instant txInstant) {
        settle(index, State.COMMITTED, t, txInstant, null);
    }

    void duplicate(int index, long originalT, Instant originalInstant) {
        settle(index, State.DUPLICATE, originalT, originalInstant, null);
    }

    /** Event {@code index} failed for {@code problem}; every event still pending fails with it. */
    void fail(int index, ProblemException problem) {
        if (failure == null) {
            failure = problem;
        }
        settle(index, State.FAILED, 0, null, problem.getMessage());
        failPending("not recorded because event " + index + " of this request failed: " + problem.getMessage());
    }

    /** Every event still pending fails for {@code problem} (the batch holding them failed, or the service stops). */
    void failAll(ProblemException problem) {
        if (failure == null) {
            failure = problem;
        }
        failPending(problem.getMessage());
    }

    /**
     * The events of {@code indexes} still pending have an unknown outcome ({@code problem} says
     * why): they may yet be recorded. The request is answered now; a retry with the same ids tells.
     */
    void unknown(List<Integer> indexes, ProblemException problem) {
        if (failure == null) {
            failure = problem;
        }
        for (int i : indexes) {
            settle(i, State.UNKNOWN, 0, null, problem.getMessage());
        }
        failPending("not attempted: the outcome of event " + indexes.get(0) + " of this request is unknown");
    }

    private void failPending(String reason) {
        for (int i = 0; i < states.length; i++) {
            if (states[i] == State.PENDING) {
                settle(i, State.FAILED, 0, null, reason);
            }
        }
    }

    private void settle(int index, State state, long t, Instant txInstant, String reason) {
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
                case COMMITTED -> outcomes.add(new IngestResult.EventOutcome(id, IngestResult.CREATED, ts[i]));
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
            done.completeExceptionally(new ProblemException(failure.status(), "Partly recorded",
                    recorded + " of " + events.size() + " events are recorded (see events: created or duplicate, with"
                            + " their t); the others failed: " + failure.getMessage()
                            + ". Send the request again with the same event ids: recorded events answer duplicate",
                    null, failure.headers()).withEvents(outcomes));
        }
    }
}
