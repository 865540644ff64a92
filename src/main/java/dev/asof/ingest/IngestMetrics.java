package dev.asof.ingest;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Counts events by outcome ({@code asof.events{outcome=…}}), invalid requests, requests refused
 * whole ({@code asof.requests.refused{reason=queue_full|heap_full|writes_in_flight}}, most of them
 * before their body is read, in {@link WriteAdmission}; bodies refused unread for lack of room in
 * {@code dev.asof.http.BodyBudget} are not counted here),
 * and exposes the queue depth.
 */
@Startup // the gauges are there from the first scrape, not from the first event
@ApplicationScoped
public class IngestMetrics {
    private final Counter created;
    private final Counter duplicate;
    private final Counter invalid;
    private final Counter queueFull;
    private final Counter failed;
    private final Counter requestsQueueFull;
    private final Counter requestsHeapFull;
    private final Counter requestsInFlight;

    public IngestMetrics(MeterRegistry registry, IngestQueue queue) {
        created = counter(registry, "created");
        duplicate = counter(registry, "duplicate");
        invalid = Counter.builder("asof.requests.invalid")
                .description("POST /events bodies rejected at validation; nothing of them was queued")
                .register(registry);
        queueFull = counter(registry, "queue_full");
        failed = counter(registry, "failed");
        requestsQueueFull = refused(registry, "queue_full");
        requestsHeapFull = refused(registry, "heap_full");
        requestsInFlight = refused(registry, "writes_in_flight");
        Gauge.builder("asof.queue.depth", queue, IngestQueue::depth)
                .description("Events waiting for the transact worker")
                .strongReference(true)
                .register(registry);
        Gauge.builder("asof.queue.capacity", queue, IngestQueue::capacity)
                .description("The most events that may wait")
                .strongReference(true)
                .register(registry);
    }

    private static Counter refused(MeterRegistry registry, String reason) {
        return Counter.builder("asof.requests.refused").description("POST /events requests refused whole, by reason")
                .tag("reason", reason).register(registry);
    }

    private static Counter counter(MeterRegistry registry, String outcome) {
        return Counter.builder("asof.events").description("Events by outcome").tag("outcome", outcome)
                .register(registry);
    }

    void created(int n) {
        created.increment(n);
    }

    void duplicate(int n) {
        duplicate.increment(n);
    }

    void invalid() {
        invalid.increment();
    }

    void queueFull(int n) {
        queueFull.increment(n);
    }

    /** A request refused whole, before or after its body was parsed (its events may not be known). */
    void refusedQueueFull() {
        requestsQueueFull.increment();
    }

    void refusedHeapFull() {
        requestsHeapFull.increment();
    }

    void refusedInFlight() {
        requestsInFlight.increment();
    }

    void failed(int n) {
        failed.increment(n);
    }
}
