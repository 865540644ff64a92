package dev.asof.ingest;

import dev.asof.http.ProblemException;
import dev.asof.ingest.EventReader.Received;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * One request's events on their way through the queue. The transact worker records each event's
 * outcome; when the last one is settled the request's future completes. A request fails as a
 * whole (its remaining events are skipped) when one of its events cannot be committed.
 */
final class Submission {
    private final List<Received> events;
    private final long[] ts;
    private final Instant[] instants;
    private final boolean[] duplicate;
    private final CompletableFuture<IngestResult> done = new CompletableFuture<>();
    private int remaining;

    Submission(List<Received> events) {
        this.events = events;
        this.ts = new long[events.size()];
        this.instants = new Instant[events.size()];
        this.duplicate = new boolean[events.size()];
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

    /** Only the transact worker calls the methods below, from its one thread. */
    boolean failed() {
        return done.isCompletedExceptionally();
    }

    void committed(int index, long t, Instant txInstant) {
        settle(index, t, txInstant, false);
    }

    void duplicate(int index, long originalT, Instant originalInstant) {
        settle(index, originalT, originalInstant, true);
    }

    void fail(ProblemException problem) {
        done.completeExceptionally(problem);
    }

    private void settle(int index, long t, Instant txInstant, boolean isDuplicate) {
        ts[index] = t;
        instants[index] = txInstant;
        duplicate[index] = isDuplicate;
        if (--remaining == 0 && !failed()) {
            done.complete(result());
        }
    }

    private IngestResult result() {
        List<IngestResult.EventOutcome> outcomes = new ArrayList<>(events.size());
        int last = 0;
        for (int i = 0; i < events.size(); i++) {
            outcomes.add(new IngestResult.EventOutcome(events.get(i).event().id(),
                    duplicate[i] ? IngestResult.DUPLICATE : IngestResult.CREATED, ts[i]));
            if (ts[i] > ts[last]) {
                last = i;
            }
        }
        return new IngestResult(ts[last], instants[last], outcomes);
    }
}
