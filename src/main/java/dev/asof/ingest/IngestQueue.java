package dev.asof.ingest;

import dev.asof.config.AsofConfig;
import dev.asof.config.OwnedThreads;
import dev.asof.core.Refusal;
import dev.asof.events.Received;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The bounded queue between HTTP and the transact worker. Its bound counts events, not requests.
 * A request goes in whole or not at all (permits for all its events are taken at once) and comes
 * out whole: the worker takes requests whole while they fit in its batch, so that a request of at
 * most the max batch, with no entity twice, is committed in one transaction. A permit comes back
 * when its event's outcome is known ({@link Submission}), so events the worker holds still count.
 * Every queued request has a deadline ({@code asof.queue.deadline}): when the worker has not taken
 * it by then, it is withdrawn and answered unavailable, nothing of it recorded.
 */
@ApplicationScoped
public class IngestQueue {
    private final int capacity;
    private final int bulk;
    private final long admissionWaitNanos;
    /** Fair: a bulk request waiting for room is not overtaken by the small ones that keep arriving. */
    private final Semaphore room;
    private final LinkedBlockingQueue<Submission> submissions = new LinkedBlockingQueue<>();
    private volatile boolean open = true;
    private final long deadlineNanos;
    private final int retryAfter;
    /** Withdraws the submissions the worker has not taken by their deadline. */
    private final ScheduledExecutorService deadlines = OwnedThreads.scheduler("asof-queue-deadlines");

    public IngestQueue(AsofConfig config) {
        this.capacity = config.queue().capacity();
        this.bulk = config.queue().maxBatch();
        this.admissionWaitNanos = config.queue().admissionWait().toNanos();
        this.room = new Semaphore(capacity, true);
        this.deadlineNanos = config.queue().deadline().toNanos();
        this.retryAfter = config.queue().retryAfterSeconds();
    }

    /** One event of a submission, as the worker handles it. */
    record Pending(Submission submission, int index) {
        Received received() {
            return submission.events().get(index);
        }
    }

    enum Offer { QUEUED, FULL, CLOSED }

    /** A submission whose resolved events give their room back to this queue. */
    Submission submission(List<Received> events) {
        return new Submission(events, room::release);
    }

    /**
     * Admission. A request of at most the max batch is refused at once when there is no room, or
     * when a bulk request waits ahead of it (shedding must be instant). A bulk request (more than
     * the max batch) waits in line up to {@code asof.queue.admission-wait} for room to free up:
     * otherwise a steady trickle of small requests would keep the room from ever being large
     * enough, and the largest allowed request would never get in. Called off the event loop.
     */
    Offer offer(Submission submission) {
        int n = submission.events().size();
        return offer(submission, waitsForRoom(n) ? admissionWaitNanos : 0);
    }

    /** Whether a request of {@code events} is bulk, and so waits in line for room instead of a 429 at once. */
    boolean waitsForRoom(int events) {
        return events > bulk && admissionWaitNanos > 0;
    }

    /**
     * Admission for a broker's message: it waits up to {@code waitNanos} in line for room (the
     * consumer stops pulling meanwhile; a broker's message is never refused for lack of room).
     */
    Offer offer(Submission submission, long waitNanos) {
        if (!open) {
            return Offer.CLOSED;
        }
        int n = submission.events().size();
        boolean admitted;
        try {
            admitted = room.tryAcquire(n, waitNanos, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            admitted = false;
        }
        if (!admitted) {
            return Offer.FULL;
        }
        if (!open) {
            room.release(n);
            return Offer.CLOSED;
        }
        // The deadline first: once queued, the worker may take it (and cancel the deadline) at once.
        submission.expiry(deadlines.schedule(() -> expire(submission), deadlineNanos, TimeUnit.NANOSECONDS));
        submissions.add(submission);
        return Offer.QUEUED;
    }

    /** Its deadline passed: withdrawn unless the worker took it first. Runs on the deadlines thread. */
    private void expire(Submission submission) {
        if (!submission.withdraw()) {
            return;
        }
        submissions.remove(submission);
        submission.failAll(Refusal.unavailable("The request waited " + TimeUnit.NANOSECONDS.toMillis(deadlineNanos)
                + " ms in the queue (asof.queue.deadline) without the writer taking it; nothing was recorded,"
                + " retry later", retryAfter));
    }

    /**
     * Adds whole submissions to {@code into} while their events, counted apart from what
     * {@code into} already holds, stay within {@code max}; waits up to {@code timeout} for a first
     * one when {@code into} is empty. A submission larger than {@code max} is taken alone, when
     * nothing else is new (the worker commits it over several transactions).
     */
    void drain(List<Pending> into, int max, long timeout, TimeUnit unit) throws InterruptedException {
        int taken = 0;
        if (into.isEmpty()) {
            Submission first = timeout > 0 ? submissions.poll(timeout, unit) : submissions.poll();
            while (first != null && !first.take()) {
                first = submissions.poll(); // withdrawn meanwhile: its deadline answered it
            }
            if (first == null) {
                return;
            }
            into.addAll(first.pending());
            taken = first.events().size();
        }
        // A deadline may withdraw (and remove) the one peeked: it is taken only if the claim succeeds.
        for (Submission next = submissions.peek();
                next != null && (taken == 0 || taken + next.events().size() <= max); next = submissions.peek()) {
            submissions.remove(next);
            if (next.take()) {
                into.addAll(next.pending());
                taken += next.events().size();
            }
        }
    }

    /** After the worker has stopped: fails whatever is still queued. */
    void rejectRemaining(Refusal refusal) {
        Submission left;
        while ((left = submissions.poll()) != null) {
            if (left.withdraw()) {
                left.failAll(refusal);
            }
        }
    }

    /** Stops taking events; what is queued stays for the worker. */
    void close() {
        open = false;
    }

    public boolean isOpen() {
        return open;
    }

    /** Events accepted whose outcome is not yet known (resolved). */
    public int depth() {
        return capacity - room.availablePermits();
    }

    public int capacity() {
        return capacity;
    }
}
