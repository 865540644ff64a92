package dev.asof.ingest;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;

/** Counts events by outcome ({@code asof.events{outcome=…}}), invalid requests, and exposes the queue depth. */
@Startup // the gauges are there from the first scrape, not from the first event
@ApplicationScoped
public class IngestMetrics {
    private final Counter created;
    private final Counter duplicate;
    private final Counter invalid;
    private final Counter queueFull;
    private final Counter failed;
    private final Counter heapFull;

    public IngestMetrics(MeterRegistry registry, IngestQueue queue) {
        created = counter(registry, "created");
        duplicate = counter(registry, "duplicate");
        invalid = Counter.builder("asof.requests.invalid")
                .description("POST /events bodies rejected at validation; nothing of them was queued")
                .register(registry);
        queueFull = counter(registry, "queue_full");
        failed = counter(registry, "failed");
        heapFull = counter(registry, "heap_full");
        Gauge.builder("asof.queue.depth", queue, IngestQueue::depth)
                .description("Events waiting for the transact worker")
                .strongReference(true)
                .register(registry);
        Gauge.builder("asof.queue.capacity", queue, IngestQueue::capacity)
                .description("The most events that may wait")
                .strongReference(true)
                .register(registry);
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

    void heapFull(int n) {
        heapFull.increment(n);
    }

    void failed(int n) {
        failed.increment(n);
    }
}
