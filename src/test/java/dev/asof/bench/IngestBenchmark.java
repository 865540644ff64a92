package dev.asof.bench;

import dev.asof.ingest.RawTransact;
import dev.asof.support.PackagedService;
import java.util.Map;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.Executors;
import org.HdrHistogram.Histogram;

/**
 * The ingest benchmark: raw in-process Datomic transact throughput at batch sizes 1, 100 and 1000,
 * then the packaged service (started here as a child process on datomic:mem) driven over HTTP with
 * single-event POSTs from 64 connections and 100-event POSTs; then as-of point reads and history
 * reads while ingestion runs ({@link ReadLoad}). Run with
 * {@code ./mvnw -Pbench verify}; it prints a Markdown table.
 */
public final class IngestBenchmark {
    private static final int RAW_EVENTS = Integer.getInteger("bench.rawEvents", 200_000);
    private static final Duration PHASE = Duration.ofSeconds(Long.getLong("bench.seconds", 20));
    private static final Duration WARMUP = Duration.ofSeconds(Long.getLong("bench.warmupSeconds", 5));

    private IngestBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        List<String> rows = new ArrayList<>();
        System.out.println("Raw in-process Datomic transact (mem), " + RAW_EVENTS + " events each");
        RawTransact.eventsPerSecond(100, 50_000); // warm-up: Clojure compile and JIT
        double best = 0;
        for (String size : System.getProperty("bench.rawBatches", "1,100,1000").split(",")) {
            int batch = Integer.parseInt(size.trim());
            int events = batch == 1 ? RAW_EVENTS / 4 : RAW_EVENTS;
            double rate = RawTransact.eventsPerSecond(batch, events);
            best = Math.max(best, rate);
            rows.add(String.format(Locale.ROOT, "| raw transact, %d event(s)/tx | in-process | %,.0f | - | - | %d | - |",
                    batch, rate, batch));
            System.out.println(rows.get(rows.size() - 1));
        }

        if (Boolean.getBoolean("bench.rawOnly")) {
            System.exit(0);
        }
        int port = PackagedService.freePort();
        // The same heap as this JVM, and the Procfile's GC pause goal.
        List<String> jvm = new ArrayList<>(List.of("-Xmx4g", "-XX:MaxGCPauseMillis=10"));
        String extra = System.getProperty("bench.serviceOpts", "");
        if (!extra.isBlank()) {
            jvm.addAll(List.of(extra.trim().split("\\s+")));
        }
        jvm.add("-Dquarkus.log.level=WARN");
        try (PackagedService service = PackagedService.start(port, "bench-service", Map.of(), jvm)) {
            String base = service.awaitReady(Duration.ofSeconds(60)).base();
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .executor(Executors.newFixedThreadPool(8)).build();
            run(client, base, 64, 1, WARMUP);
            Worker before = Worker.scrape(client, base);
            Result single = run(client, base, 64, 1, PHASE);
            rows.add(single.row("HTTP POST, 1 event/request", 64) + Worker.scrape(client, base).since(before, PHASE));
            System.out.println(rows.get(rows.size() - 1));
            run(client, base, 16, 100, WARMUP);
            before = Worker.scrape(client, base);
            Result hundred = run(client, base, 16, 100, PHASE);
            rows.add(hundred.row("HTTP POST, 100 events/request", 16) + Worker.scrape(client, base).since(before, PHASE));
            System.out.println(rows.get(rows.size() - 1));
            System.out.println();
            System.out.println("| measurement | connections | events/s | p50 ms | p99 ms | mean batch | worker in transact |");
            System.out.println("|---|---|---|---|---|---|---|");
            rows.forEach(System.out::println);
            System.out.printf(Locale.ROOT, "%n100-event POSTs reach %.0f%% of the best raw figure (%,.0f events/s).%n",
                    100 * hundred.eventsPerSecond() / best, best);

            System.out.println();
            System.out.println("Reads while ingestion runs (" + ReadLoad.SKUS + " SKUs x " + ReadLoad.VERSIONS + " versions)");
            System.out.println("| measurement | connections | throughput | p50 ms | p99 ms | failures |");
            System.out.println("|---|---|---|---|---|---|");
            ReadLoad.run(client, base, PHASE, Integer.getInteger("bench.readRate", 5000),
                    Integer.getInteger("bench.ingestRate", 2000)).forEach(System.out::println);
        }
        System.exit(0); // the HTTP client's threads would keep the JVM alive
    }

    /** The service's own view of its transact worker, from /q/metrics. */
    record Worker(double transactSeconds, double batches, double events) {
        static Worker scrape(HttpClient client, String base) throws Exception {
            String metrics = client.send(HttpRequest.newBuilder(URI.create(base + "/q/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            return new Worker(metric(metrics, "asof_transact_latency_seconds_sum"),
                    metric(metrics, "asof_batch_size_events_count"), metric(metrics, "asof_batch_size_events_sum"));
        }

        private static double metric(String metrics, String name) {
            return metrics.lines().filter(l -> l.startsWith(name + " ") || l.startsWith(name + "{"))
                    .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
        }

        String since(Worker before, Duration phase) {
            double batchCount = batches - before.batches;
            return String.format(Locale.ROOT, " %.0f | %.0f%% |", batchCount == 0 ? 0 : (events - before.events) / batchCount,
                    100 * (transactSeconds - before.transactSeconds) / (phase.toMillis() / 1000.0));
        }
    }

    record Result(double eventsPerSecond, double requestsPerSecond, Histogram latency, long errors) {
        String row(String name, int connections) {
            if (errors > 0) {
                System.out.println("  " + name + ": " + errors + " requests failed (non-2xx or I/O)");
            }
            return String.format(Locale.ROOT, "| %s | %d | %,.0f | %.1f | %.1f |", name, connections, eventsPerSecond,
                    latency.getValueAtPercentile(50) / 1000.0, latency.getValueAtPercentile(99) / 1000.0);
        }
    }

    static Result run(HttpClient client, String base, int connections, int eventsPerRequest, Duration length)
            throws Exception {
        Load.Phase phase = Load.drive(client, connections, length, 0, () -> HttpRequest.newBuilder(URI.create(base + "/events"))
                .header("Authorization", PackagedService.AUTHORIZATION).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body(eventsPerRequest)))
                .build(), status -> status / 100 == 2);
        return new Result(phase.requestsPerSecond() * eventsPerRequest, phase.requestsPerSecond(), phase.latency(),
                phase.failures());
    }

    private static String body(int events) {
        StringBuilder body = new StringBuilder(events * 120).append(events == 1 ? "" : "[");
        for (int i = 0; i < events; i++) {
            if (i > 0) {
                body.append(',');
            }
            UUID id = UUID.randomUUID();
            body.append("{\"id\":\"").append(id).append("\",\"type\":\"price\",\"sku\":\"B-")
                    .append(Long.toHexString(id.getMostSignificantBits() & 0xffffff))
                    .append("\",\"amount\":").append(i % 1000).append(".99,\"currency\":\"EUR\",\"source\":\"bench\"}");
        }
        return body.append(events == 1 ? "" : "]").toString();
    }

}
