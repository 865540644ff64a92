package dev.asof.ingest;

import dev.asof.config.AsofConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Collection;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The bounded queue between HTTP and the transact worker. Its bound counts events, not requests,
 * and a request goes in whole or not at all: permits are taken for all its events at once.
 */
@ApplicationScoped
public class IngestQueue {
    private final int capacity;
    private final Semaphore room;
    private final LinkedBlockingQueue<Pending> events = new LinkedBlockingQueue<>();
    private volatile boolean open = true;

    public IngestQueue(AsofConfig config) {
        this.capacity = config.queue().capacity();
        this.room = new Semaphore(capacity);
    }

    /** One event of a submission, as it waits in the queue. */
    record Pending(Submission submission, int index) {
        EventReader.Received received() {
            return submission.events().get(index);
        }
    }

    enum Offer { QUEUED, FULL, CLOSED }

    Offer offer(Submission submission) {
        int count = submission.events().size();
        if (!open) {
            return Offer.CLOSED;
        }
        if (!room.tryAcquire(count)) {
            return Offer.FULL;
        }
        for (int i = 0; i < count; i++) {
            events.add(new Pending(submission, i));
        }
        return Offer.QUEUED;
    }

    /** Waits up to {@code timeout} for the first event, then takes whatever else is there, up to {@code max}. */
    int drain(Collection<Pending> into, int max, long timeout, TimeUnit unit) throws InterruptedException {
        Pending first = events.poll(timeout, unit);
        if (first == null) {
            return 0;
        }
        into.add(first);
        int taken = 1 + events.drainTo(into, max - 1);
        room.release(taken);
        return taken;
    }

    /** Stops taking events; what is queued stays for the worker. */
    void close() {
        open = false;
    }

    public boolean isOpen() {
        return open;
    }

    public int depth() {
        return capacity - room.availablePermits();
    }

    public int capacity() {
        return capacity;
    }
}
