package dev.asof.ingest;

import dev.asof.config.AsofConfig;
import dev.asof.core.Refusal;
import dev.asof.datomic.DatomicStore;
import dev.asof.datomic.HeapBudget;
import dev.asof.events.Received;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import dev.asof.config.OwnedThreads;
import jakarta.annotation.PreDestroy;
import io.smallrye.mutiny.infrastructure.Infrastructure;

/** Puts validated events on the queue and hands back the future of their commit. */
@ApplicationScoped
public class IngestService {
    /** How long a waiting broker message waits at a time before it looks again whether the service takes events. */
    private static final Duration WAIT_STEP = Duration.ofMillis(250);

    private final IngestQueue queue;
    private final DatomicStore store;
    private final HeapBudget heap;
    private final IngestMetrics metrics;
    private final EventReader reader;
    private final int retryAfter;
    /**
     * Where request bodies are parsed: one thread fewer than the cores, at least one, so that a flood
     * of bodies keeps at most that many threads parsing beside the transact worker and the event
     * loops that read connections and answer reads (see {@link WriteAdmission}). Its queue is bounded by the writes admitted at once
     * ({@code asof.limits.writes-in-flight}), each of which holds its place until its events are
     * queued or refused.
     */
    private final ExecutorService parsers = Executors.newFixedThreadPool(
            Math.max(1, Runtime.getRuntime().availableProcessors() - 1), OwnedThreads.factory("asof-parse"));

    public IngestService(IngestQueue queue, DatomicStore store, HeapBudget heap, IngestMetrics metrics,
            EventReader reader, AsofConfig config) {
        this.queue = queue;
        this.store = store;
        this.heap = heap;
        this.metrics = metrics;
        this.reader = reader;
        this.retryAfter = config.queue().retryAfterSeconds();
    }

    /** A request's events, validated and queued, and the future of their commit. */
    public record Queued(List<Received> events, CompletableFuture<IngestResult> committed) {
    }

    /**
     * Parses and validates a body, then queues its events. Parsing runs on the parse pool, never
     * on the event loop that reads every connection and answers every read: a 16 MiB body takes a
     * second or two to parse, and the event loop must not stop for it. {@code parsed} runs once the
     * body has been parsed (or refused): the HTTP layer's body budget ({@code dev.asof.http.BodyBudget})
     * counts the body's bytes until then. Never throws: every refusal fails the returned stage.
     */
    public CompletionStage<Queued> parseAndSubmit(byte[] body, BodyFormat format, Instant receivedAt, Runnable parsed) {
        CompletableFuture<List<Received>> parsing;
        try {
            parsing = CompletableFuture.supplyAsync(() -> parse(body, format, receivedAt, parsed), parsers);
        } catch (RejectedExecutionException stopped) {
            parsed.run();
            return CompletableFuture.failedFuture(shuttingDown());
        }
        return parsing.thenCompose(events -> queue.waitsForRoom(events.size())
                // A bulk request may wait in line for room (asof.queue.admission-wait): not on the parse pool,
                // whose few threads every other write needs meanwhile.
                ? CompletableFuture.supplyAsync(() -> new Queued(events, submit(events)), Infrastructure.getDefaultWorkerPool())
                : CompletableFuture.completedFuture(new Queued(events, submit(events))));
    }

    private List<Received> parse(byte[] body, BodyFormat format, Instant receivedAt, Runnable parsed) {
        try {
            return switch (format) {
                case JSON -> reader.readJson(body, receivedAt);
                case NDJSON -> reader.readNdjson(body, receivedAt);
                case CSV -> reader.readCsv(body, receivedAt);
            };
        } catch (Refusal e) {
            rejected();
            throw e;
        } finally {
            parsed.run();
        }
    }

    /**
     * Queues all the events or none. The future completes when every event is committed (or found
     * to be a duplicate), or fails with the refusal that stopped the request.
     *
     * @throws Refusal BUSY when the queue has no room, UNAVAILABLE when the service is not taking events,
     *     HEAP_FULL when the heap is nearly full
     */
    public CompletableFuture<IngestResult> submit(List<Received> events) {
        refuseUnlessTakingWrites();
        if (events.size() > queue.capacity()) {
            throw largerThanQueue(events.size(), "request");
        }
        Submission submission = queue.submission(events);
        switch (queue.offer(submission)) {
            case FULL -> {
                metrics.queueFull(events.size());
                metrics.refusedQueueFull();
                throw queueFull();
            }
            case CLOSED -> throw shuttingDown();
            case QUEUED -> {
            }
        }
        return counted(submission);
    }

    /**
     * Queues a broker message's events, waiting as long as it takes for the service to take them:
     * for room in the queue, for the store to take writes, for heap to free up. Never busy: the
     * consumer that calls this stops pulling from its broker meanwhile, which is the broker's
     * backpressure. Called on a consumer's worker thread, never on an event loop.
     *
     * @throws Refusal TOO_LARGE when the message holds more events than the queue, UNAVAILABLE when the
     *     service is shutting down (the message stays unacknowledged and comes again)
     * @throws InterruptedException when the consumer is stopped while waiting
     */
    public CompletableFuture<IngestResult> submitWaiting(List<Received> events) throws InterruptedException {
        if (events.size() > queue.capacity()) {
            throw largerThanQueue(events.size(), "message");
        }
        Submission submission = queue.submission(events);
        boolean counted = false;
        while (true) {
            if (!queue.isOpen()) {
                throw shuttingDown();
            }
            if (store.takesWrites() && !heap.refusingWrites()) {
                switch (queue.offer(submission, WAIT_STEP.toNanos())) {
                    case QUEUED -> {
                        return counted(submission);
                    }
                    case CLOSED -> throw shuttingDown();
                    case FULL -> {
                        if (!counted) {
                            metrics.queueFull(events.size());
                            counted = true;
                        }
                    }
                }
            } else {
                Thread.sleep(WAIT_STEP.toMillis());
            }
        }
    }

    /** The future of a queued submission, counting each event's outcome when it is known. */
    private CompletableFuture<IngestResult> counted(Submission submission) {
        List<Received> events = submission.events();
        return submission.done().whenComplete((result, error) -> {
            List<?> outcomes = result != null ? result.events()
                    : error instanceof Refusal refusal && refusal.events() != null ? refusal.events() : null;
            if (outcomes == null) {
                metrics.failed(events.size());
                return;
            }
            for (Object outcome : outcomes) {
                switch (((IngestResult.EventOutcome) outcome).status()) {
                    case IngestResult.CREATED -> metrics.created(1);
                    case IngestResult.DUPLICATE -> metrics.duplicate(1);
                    default -> metrics.failed(1);
                }
            }
        });
    }

    /**
     * Sheds load before the body is even parsed: when the queue has no room at all, reading and
     * validating the request would only burn the CPU the transact worker needs.
     *
     * @throws Refusal BUSY when the queue is full, UNAVAILABLE when the service is not taking events,
     *     HEAP_FULL when the heap is nearly full
     */
    public void refuseEarlyIfFull() {
        refuseUnlessTakingWrites();
        if (queue.depth() >= queue.capacity()) {
            metrics.refusedQueueFull();
            throw queueFull();
        }
    }

    private Refusal shuttingDown() {
        return Refusal.unavailable("The service is shutting down and takes no more events", retryAfter);
    }

    /**
     * Starting, waiting for the journal's writer role or fenced out of it, shutting down (unavailable),
     * or the heap nearly full: no write is taken at all.
     */
    private void refuseUnlessTakingWrites() {
        if (!store.takesWrites()) {
            throw Refusal.unavailable(store.whyNoWrites(), retryAfter);
        }
        if (!queue.isOpen()) {
            throw shuttingDown();
        }
        if (heap.refusingWrites()) {
            metrics.refusedHeapFull();
            throw heapFull();
        }
    }

    /** Not unavailable: the heap does not empty by itself, so retrying soon does not help; reads go on. */
    private Refusal heapFull() {
        return new Refusal(Refusal.Reason.HEAP_FULL, "Heap nearly full", "asof holds its embedded database on the heap,"
                + " and " + heap.describe() + ". Writes are refused until it has room; reads go on. The operator must give"
                + " the service more heap (-Xmx, a larger dyno) or move it to Datomic Pro storage");
    }

    private Refusal queueFull() {
        return new Refusal(Refusal.Reason.BUSY, "Queue full",
                "The ingest queue is full (" + queue.capacity() + " events); retry after the delay", null, retryAfter);
    }

    private Refusal largerThanQueue(int events, String holder) {
        return new Refusal(Refusal.Reason.TOO_LARGE, "Too many events", "The " + holder + " holds " + events
                + " events but the queue holds at most " + queue.capacity() + "; split it");
    }

    /** True once the service stops taking events. */
    public boolean closing() {
        return !queue.isOpen();
    }

    /**
     * Keeps every parse thread busy until {@code until} opens: for tests, as {@link TransactWorker#pause}
     * holds the worker (the parser saturated, without a body large enough to make it so).
     */
    void holdParsing(CountDownLatch until) {
        int threads = ((ThreadPoolExecutor) parsers).getCorePoolSize();
        for (int i = 0; i < threads; i++) {
            parsers.execute(() -> {
                try {
                    until.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }
    }

    @PreDestroy
    void stopParsing() {
        parsers.shutdown();
    }

    /** Counts a request rejected before queueing (invalid body). */
    public void rejected() {
        metrics.invalid();
    }
}
