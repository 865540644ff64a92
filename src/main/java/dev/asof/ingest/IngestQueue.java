package dev.asof.ingest;

import dev.asof.config.AsofConfig;
import dev.asof.http.ProblemException;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The bounded queue between HTTP and the transact worker. Its bound counts events, not requests.
 * A request goes in whole or not at all (permits for all its events are taken at once) and comes
 * out whole: the worker takes requests whole while they fit in its batch, so that a request of at
 * most the max batch, with no entity twice, is committed in one transaction. A permit comes back
 * when its event's outcome is known ({@link Submission}), so events the worker holds still count.
 */
@ApplicationScoped
public class IngestQueue {
    private final int capacity;
    private final Semaphore room;
    private final LinkedBlockingQueue<Submission> submissions = new LinkedBlockingQueue<>();
    private volatile boolean open = true;

    public IngestQueue(AsofConfig config) {
        this.capacity = config.queue().capacity();
        this.room = new Semaphore(capacity);
    }

    /** One event of a submission, as the worker handles it. */
    record Pending(Submission submission, int index) {
        EventReader.Received received() {
            return submission.events().get(index);
        }
    }

    enum Offer { QUEUED, FULL, CLOSED }

    /** A submission whose settled events give their room back to this queue. */
    Submission submission(List<EventReader.Received> events) {
        return new Submission(events, room::release);
    }

    Offer offer(Submission submission) {
        if (!open) {
            return Offer.CLOSED;
        }
        if (!room.tryAcquire(submission.events().size())) {
            return Offer.FULL;
        }
        submissions.add(submission);
        return Offer.QUEUED;
    }

    /**
     * Waits up to {@code timeout} for a first submission when {@code into} is empty, then takes
     * whole submissions while they fit within {@code max} events. A submission larger than
     * {@code max} is taken alone (the worker carries its excess to the next batches).
     */
    void drain(List<Pending> into, int max, long timeout, TimeUnit unit) throws InterruptedException {
        if (into.isEmpty()) {
            Submission first = timeout > 0 ? submissions.poll(timeout, unit) : submissions.poll();
            if (first == null) {
                return;
            }
            into.addAll(first.pending());
        }
        // One consumer: what it peeks is what it polls.
        for (Submission next = submissions.peek(); next != null && into.size() + next.events().size() <= max;
                next = submissions.peek()) {
            into.addAll(submissions.poll().pending());
        }
    }

    /** After the worker has stopped: fails whatever is still queued. */
    void rejectRemaining(ProblemException problem) {
        Submission left;
        while ((left = submissions.poll()) != null) {
            left.failAll(problem);
        }
    }

    /** Stops taking events; what is queued stays for the worker. */
    void close() {
        open = false;
    }

    public boolean isOpen() {
        return open;
    }

    /** Events accepted and not yet settled. */
    public int depth() {
        return capacity - room.availablePermits();
    }

    public int capacity() {
        return capacity;
    }
}
