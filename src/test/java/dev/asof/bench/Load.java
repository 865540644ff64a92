package dev.asof.bench;

import dev.asof.support.PackagedService;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntPredicate;
import java.util.function.Supplier;
import org.HdrHistogram.Histogram;

/**
 * Drives requests from a number of connections for a while and records latency in HdrHistogram.
 * Closed loop (interval 0): a connection sends when its last answer came. Open loop (interval > 0):
 * each connection sends at its own fixed pace and latency counts from the intended send time, so a
 * stall shows in the figures instead of slowing the load.
 */
final class Load {
    private Load() {
    }

    /** What a phase measured: answered requests per second, their latency (µs), and failures. */
    record Phase(double requestsPerSecond, Histogram latency, long failures) {
        double p50Millis() {
            return latency.getValueAtPercentile(50) / 1000.0;
        }

        double p99Millis() {
            return latency.getValueAtPercentile(99) / 1000.0;
        }
    }

    static Phase drive(HttpClient client, int connections, Duration length, long intervalNanos,
            Supplier<HttpRequest> requests, IntPredicate ok) throws Exception {
        Histogram latency = new Histogram(60_000_000L, 3);
        AtomicLong answered = new AtomicLong();
        AtomicLong failures = new AtomicLong();
        long start = System.nanoTime();
        long deadline = start + length.toNanos();
        ExecutorService pool = Executors.newFixedThreadPool(connections);
        List<Future<?>> workers = new ArrayList<>();
        for (int c = 0; c < connections; c++) {
            long offset = intervalNanos * c / connections;
            workers.add(pool.submit(() -> {
                Histogram mine = new Histogram(60_000_000L, 3);
                long intended = start + offset;
                while (true) {
                    long now = System.nanoTime();
                    if (intervalNanos > 0 && intended > now) {
                        LockSupport.parkNanos(intended - now);
                    }
                    long sent = intervalNanos > 0 ? intended : System.nanoTime();
                    if (sent >= deadline) {
                        break;
                    }
                    intended += intervalNanos;
                    try {
                        HttpResponse<Void> response = client.send(requests.get(), HttpResponse.BodyHandlers.discarding());
                        if (!ok.test(response.statusCode())) {
                            failures.incrementAndGet();
                            continue;
                        }
                    } catch (java.io.IOException e) {
                        failures.incrementAndGet();
                        continue;
                    }
                    mine.recordValue(Math.min((System.nanoTime() - sent) / 1000, 60_000_000L));
                    answered.incrementAndGet();
                }
                synchronized (latency) {
                    latency.add(mine);
                }
                return null;
            }));
        }
        for (Future<?> worker : workers) {
            worker.get();
        }
        pool.shutdown();
        return new Phase(answered.get() / ((System.nanoTime() - start) / 1e9), latency, failures.get());
    }

    /** Records an NDJSON body of events in the packaged service, which must answer 201 (all created). */
    static void postNdjson(HttpClient client, String base, String ndjson) throws Exception {
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create(base + "/events"))
                .header("Authorization", PackagedService.AUTHORIZATION).header("Content-Type", "application/x-ndjson")
                .timeout(Duration.ofMinutes(5)).POST(HttpRequest.BodyPublishers.ofString(ndjson)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 201) {
            throw new IllegalStateException(response.statusCode() + " " + response.body());
        }
    }
}
