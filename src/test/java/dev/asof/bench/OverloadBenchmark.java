package dev.asof.bench;

import dev.asof.support.PackagedService;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;

/**
 * Sustained overload: 128 connections send 100-event POSTs as fast as they can (far more than one
 * transact worker commits; after a 429 they wait only 50 ms, not the Retry-After) for
 * {@code bench.seconds}, while 16 connections read. Reports what the
 * service held, how fast it shed the rest with 429, how long accepted writes and reads took, and
 * its heap along the way. Run with {@code ./mvnw -Pbench verify -Dbench.main=dev.asof.bench.OverloadBenchmark}.
 */
public final class OverloadBenchmark {
    private static final Duration LENGTH = Duration.ofSeconds(Long.getLong("bench.seconds", 30));
    private static final int WRITERS = 128;
    private static final int READERS = 16;

    private OverloadBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int port = PackagedService.freePort();
        try (PackagedService service = PackagedService.start(port, "bench-overload",
                Map.of(), List.of("-Xmx2g", "-XX:MaxGCPauseMillis=10", "-Dquarkus.log.level=WARN"))) {
            String base = service.awaitReady(Duration.ofSeconds(60)).base();
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .executor(Executors.newFixedThreadPool(8)).build();
            Histogram accepted = new Histogram(60_000_000L, 3);
            Histogram shed = new Histogram(60_000_000L, 3);
            Histogram reads = new Histogram(60_000_000L, 3);
            AtomicLong acceptedCount = new AtomicLong();
            AtomicLong shedCount = new AtomicLong();
            AtomicLong other = new AtomicLong();
            List<String> heap = new ArrayList<>();
            long deadline = System.nanoTime() + LENGTH.toNanos();
            ExecutorService pool = Executors.newFixedThreadPool(WRITERS + READERS);
            List<Future<?>> workers = new ArrayList<>();
            for (int w = 0; w < WRITERS; w++) {
                workers.add(pool.submit(() -> {
                    while (System.nanoTime() < deadline) {
                        long sent = System.nanoTime();
                        int status = client.send(HttpRequest.newBuilder(URI.create(base + "/events"))
                                .header("Authorization", PackagedService.AUTHORIZATION)
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString(hundred())).build(),
                                HttpResponse.BodyHandlers.discarding()).statusCode();
                        long micros = (System.nanoTime() - sent) / 1000;
                        if (status == 201) {
                            record(accepted, micros);
                            acceptedCount.incrementAndGet();
                        } else if (status == 429) {
                            record(shed, micros);
                            shedCount.incrementAndGet();
                            // A pause far shorter than Retry-After: still overload, but the load
                            // generator does not spin and take the CPU the service is measured on.
                            Thread.sleep(50);
                        } else {
                            other.incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            for (int r = 0; r < READERS; r++) {
                workers.add(pool.submit(() -> {
                    while (System.nanoTime() < deadline) {
                        long sent = System.nanoTime();
                        client.send(HttpRequest.newBuilder(URI.create(base + "/prices/O-"
                                + ThreadLocalRandom.current().nextInt(1000))).build(), HttpResponse.BodyHandlers.discarding());
                        record(reads, (System.nanoTime() - sent) / 1000);
                    }
                    return null;
                }));
            }
            long started = System.nanoTime();
            IngestBenchmark.Worker before = IngestBenchmark.Worker.scrape(client, base);
            while (System.nanoTime() < deadline) {
                heap.add(heapMb(client, base));
                Thread.sleep(LENGTH.toMillis() / 6);
            }
            for (Future<?> worker : workers) {
                worker.get();
            }
            pool.shutdown();
            heap.add(heapMb(client, base));
            String worker = IngestBenchmark.Worker.scrape(client, base).since(before, LENGTH);
            double seconds = (System.nanoTime() - started) / 1e9;
            long total = acceptedCount.get() + shedCount.get();
            System.out.println("| measurement | value |");
            System.out.println("|---|---|");
            System.out.printf(Locale.ROOT, "| writes held (accepted, 100 events each) | %,.0f requests/s = %,.0f events/s |%n",
                    acceptedCount.get() / seconds, 100 * acceptedCount.get() / seconds);
            System.out.printf(Locale.ROOT, "| accepted write latency p50 / p99 | %.1f / %.1f ms |%n",
                    accepted.getValueAtPercentile(50) / 1000.0, accepted.getValueAtPercentile(99) / 1000.0);
            System.out.printf(Locale.ROOT, "| 429 share of writes | %.1f%% (%,d of %,d) |%n", 100.0 * shedCount.get() / total,
                    shedCount.get(), total);
            System.out.printf(Locale.ROOT, "| 429 latency p50 / p99 | %.1f / %.1f ms |%n",
                    shed.getValueAtPercentile(50) / 1000.0, shed.getValueAtPercentile(99) / 1000.0);
            System.out.printf(Locale.ROOT, "| reads meanwhile: count, p50 / p99 | %,d, %.1f / %.1f ms |%n",
                    reads.getTotalCount(), reads.getValueAtPercentile(50) / 1000.0, reads.getValueAtPercentile(99) / 1000.0);
            System.out.printf("| other statuses | %d |%n", other.get());
            System.out.println("| mean batch, worker share of time in transact |" + worker);
            System.out.println("| heap used (MB) along the run | " + String.join(", ", heap) + " |");
        }
        System.exit(0);
    }

    private static void record(Histogram histogram, long micros) {
        synchronized (histogram) {
            histogram.recordValue(Math.min(micros, 60_000_000L));
        }
    }

    private static String hundred() {
        StringBuilder body = new StringBuilder("[");
        for (int i = 0; i < 100; i++) {
            body.append(i == 0 ? "" : ",").append("{\"id\":\"").append(UUID.randomUUID())
                    .append("\",\"type\":\"price\",\"sku\":\"O-").append(ThreadLocalRandom.current().nextInt(1000))
                    .append("\",\"amount\":9.99,\"currency\":\"EUR\"}");
        }
        return body.append(']').toString();
    }

    private static String heapMb(HttpClient client, String base) throws Exception {
        String metrics = client.send(HttpRequest.newBuilder(URI.create(base + "/q/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        double bytes = metrics.lines().filter(l -> l.startsWith("jvm_memory_used_bytes{") && l.contains("area=\"heap\""))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
        return String.format(Locale.ROOT, "%.0f", bytes / 1e6);
    }
}
