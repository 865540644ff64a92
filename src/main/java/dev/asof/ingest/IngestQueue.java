package dev.asof.ingest;

import dev.asof.config.AsofConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The bounded queue between HTTP and the transact worker. Its bound counts events, not requests.
 * A request goes in whole or not at all (permits for all its events are taken at once) and comes
 * out whole, so that a request that fits in one batch is committed in one transaction. Permits come
 * back only when the worker has settled an event, so events the worker holds still count.
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
     * Waits up to {@code timeout} for a first submission, then takes what else is queued until
     * {@code into} holds at least {@code max} events. The last submission taken may overshoot;
     * the worker carries the excess to its next batch.
     */
    void drain(List<Pending> into, int max, long timeout, TimeUnit unit) throws InterruptedException {
        Submission next = timeout > 0 ? submissions.poll(timeout, unit) : submissions.poll();
        while (next != null) {
            into.addAll(next.pending());
            if (into.size() >= max) {
                return;
            }
            next = submissions.poll();
        }
    }

    /** The worker has settled {@code events} events: their room is free again. */
    void settled(int events) {
        room.release(events);
    }

    /** After the worker has stopped: fails whatever is still queued. */
    void rejectRemaining(dev.asof.http.ProblemException problem) {
        Submission left;
        while ((left = submissions.poll()) != null) {
            left.fail(problem);
            room.release(left.events().size());
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
