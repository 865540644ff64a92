package dev.asof.bench;

import dev.asof.ingest.RawTransact;
import dev.asof.support.PackagedService;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
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
import java.util.function.IntFunction;
import org.HdrHistogram.Histogram;

/**
 * The ingest benchmark: raw in-process Datomic transact throughput at batch sizes 1, 100 and 1000,
 * then the packaged service (started here as a child process on datomic:mem) driven over HTTP with
 * single-event POSTs from 64 connections and 100-event POSTs; then as-of point reads and history
 * reads while ingestion runs ({@link ReadLoad}). Run with
 * {@code ./mvnw -Pbench verify}; it prints a Markdown table.
 *
 * <p>Beside the rates it gives what each measurement cost in CPU: milliseconds of CPU time (all
 * threads, user and system, as the OS counts them) per 1,000 events, for the raw commit (this JVM),
 * and for the service and the load generator (this JVM again) in the HTTP phases. On a machine
 * whose cores the generator, the service and Datomic's indexer share, the cores can run out before
 * the one writer does: then the HTTP rate is bounded by cores over service-plus-generator CPU per
 * event, whatever the writer could do, and the last line says where that bound lies.
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
        // The HTTP phases' SKUs: random ones, nearly all new. SKUs in sequence put their index
        // entries side by side: ~1.3x as fast, and an anchor that flattered the ratio's ceiling.
        IntFunction<String> skus = i -> sku(UUID.randomUUID());
        RawTransact.measure(100, 0, 50_000, skus); // warm-up: Clojure compile and JIT
        RawTransact.Rate best = new RawTransact.Rate(0, 0);
        for (String size : System.getProperty("bench.rawBatches", "1,100,1000").split(",")) {
            int batch = Integer.parseInt(size.trim());
            int events = batch == 1 ? RAW_EVENTS / 4 : RAW_EVENTS;
            RawTransact.Rate rate = RawTransact.measure(batch, 0, events, skus);
            if (rate.eventsPerSecond() > best.eventsPerSecond()) {
                best = rate;
            }
            rows.add(String.format(Locale.ROOT, "| raw transact, %d event(s)/tx | in-process | %,.0f | - | - | %d | - | %.0f |",
                    batch, rate.eventsPerSecond(), batch, rate.cpuMillisPerThousand()));
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
            OpenLoop load = new OpenLoop(URI.create(base), 64);
            run(load, 64, 1, WARMUP);
            Measured single = Measured.of(service, client, base, () -> run(load, 64, 1, PHASE));
            rows.add(single.row("HTTP POST, 1 event/request", 64));
            System.out.println(rows.get(rows.size() - 1));
            run(load, 16, 100, WARMUP);
            Measured hundred = Measured.of(service, client, base, () -> run(load, 16, 100, PHASE));
            rows.add(hundred.row("HTTP POST, 100 events/request", 16));
            System.out.println(rows.get(rows.size() - 1));
            System.out.println();
            System.out.println("| measurement | connections | events/s | p50 ms | p99 ms | mean batch | worker in transact"
                    + " | CPU ms / 1000 events |");
            System.out.println("|---|---|---|---|---|---|---|---|");
            rows.forEach(System.out::println);
            System.out.printf(Locale.ROOT, "%n100-event POSTs reach %.0f%% of the best raw figure (%,.0f events/s).%n",
                    100 * hundred.result.eventsPerSecond() / best.eventsPerSecond(), best.eventsPerSecond());
            double bound = Cpu.bound(hundred.serviceCpu() + hundred.generatorCpu());
            System.out.printf(Locale.ROOT, "Their CPU: %.0f ms of the service and %.0f ms of the generator per 1000 events"
                    + " (%.2f of %d cores busy; the raw commit: %.0f ms). With every core busy, %d cores carry at most"
                    + " %,.0f events/s at that cost: %.0f%% of the best raw figure.%n", hundred.serviceCpu(),
                    hundred.generatorCpu(), hundred.coresBusy(), Cpu.CORES, best.cpuMillisPerThousand(), Cpu.CORES,
                    bound, 100 * bound / best.eventsPerSecond());

            System.out.println();
            System.out.println("Reads while ingestion runs (" + ReadLoad.SKUS + " SKUs x " + ReadLoad.VERSIONS + " versions)");
            System.out.println("| measurement | connections | throughput | p50 ms | p99 ms | failures |");
            System.out.println("|---|---|---|---|---|---|");
            ReadLoad.run(client, base, PHASE, Integer.getInteger("bench.readRate", 5000),
                    Integer.getInteger("bench.ingestRate", 2000)).forEach(System.out::println);
        }
        System.exit(0); // the HTTP client's threads would keep the JVM alive
    }

    /** CPU time used so far by the service and by this JVM (the load generator), in nanoseconds. */
    record Cpu(long service, long generator) {
        static final int CORES = Runtime.getRuntime().availableProcessors();

        static Cpu now(PackagedService service) {
            return new Cpu(service.cpu().toNanos(), PackagedService.cpu(ProcessHandle.current()).toNanos());
        }

        /** The service's CPU since {@code before}, in milliseconds per 1,000 of {@code events}. */
        double serviceSince(Cpu before, double events) {
            return (service - before.service) / 1e6 / (events / 1000.0);
        }

        /** This JVM's CPU since {@code before}, in milliseconds per 1,000 of {@code events}. */
        double generatorSince(Cpu before, double events) {
            return (generator - before.generator) / 1e6 / (events / 1000.0);
        }

        /** Events per second that every core of this machine, fully busy, carries at {@code millisPerThousand}. */
        static double bound(double millisPerThousand) {
            return CORES * 1e6 / millisPerThousand;
        }
    }

    /** A phase to measure. */
    interface Phase {
        Result run() throws Exception;
    }

    /**
     * One HTTP phase with what it cost: the CPU of the service and of the generator over exactly
     * the phase (its last answers included), and the worker's view from /q/metrics around it.
     */
    record Measured(Result result, Cpu before, Cpu after, Worker workerBefore, Worker workerAfter) {
        static Measured of(PackagedService service, HttpClient client, String base, Phase phase) throws Exception {
            Worker workerBefore = Worker.scrape(client, base);
            Cpu before = Cpu.now(service);
            Result result = phase.run();
            Cpu after = Cpu.now(service);
            return new Measured(result, before, after, workerBefore, Worker.scrape(client, base));
        }

        double serviceCpu() {
            return after.serviceSince(before, result.events());
        }

        double generatorCpu() {
            return after.generatorSince(before, result.events());
        }

        double coresBusy() {
            return (after.service - before.service + after.generator - before.generator) / (double) result.nanos();
        }

        String row(String name, int connections) {
            return result.row(name, connections) + workerAfter.since(workerBefore, Duration.ofNanos(result.nanos()))
                    + String.format(Locale.ROOT, " service %.0f + generator %.0f |", serviceCpu(), generatorCpu());
        }
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

    /** A phase's answers: rates, latency of the 2xx (µs), failures, events answered 2xx, and its length. */
    record Result(double eventsPerSecond, double requestsPerSecond, Histogram latency, long errors, long events,
            long nanos) {
        String row(String name, int connections) {
            if (errors > 0) {
                System.out.println("  " + name + ": " + errors + " requests failed (non-2xx or I/O)");
            }
            return String.format(Locale.ROOT, "| %s | %d | %,.0f | %.1f | %.1f |", name, connections, eventsPerSecond,
                    latency.getValueAtPercentile(50) / 1000.0, latency.getValueAtPercentile(99) / 1000.0);
        }
    }

    /**
     * POSTs of {@code eventsPerRequest} events from {@code connections} connections, closed loop, for
     * {@code length}: from {@code load}'s one event loop, so that the generator takes little of the
     * cores it shares with the service. Every request waits for its commit; a 2xx counts.
     */
    static Result run(OpenLoop load, int connections, int eventsPerRequest, Duration length) throws Exception {
        OpenLoop.Tally tally = new OpenLoop.Tally(status -> status / 100 == 2);
        Map<String, String> headers = Map.of("Authorization", PackagedService.AUTHORIZATION,
                "Content-Type", "application/json");
        long start = System.nanoTime();
        load.closedLoop(connections, length,
                n -> new OpenLoop.Request(HttpMethod.POST, "/events", headers, Buffer.buffer(body(eventsPerRequest))),
                tally::add);
        long nanos = System.nanoTime() - start; // closedLoop's end: every answer is in, and seen here
        double seconds = nanos / 1e9;
        return new Result(tally.answered() * eventsPerRequest / seconds, tally.answered() / seconds, tally.latency(),
                tally.failures(), tally.answered() * eventsPerRequest, nanos);
    }

    /** The SKU of the event {@code id}: one of 2^24, at random, so nearly every event names a new SKU. */
    static String sku(UUID id) {
        return "B-" + Long.toHexString(id.getMostSignificantBits() & 0xffffff);
    }

    private static String body(int events) {
        StringBuilder body = new StringBuilder(events * 120).append(events == 1 ? "" : "[");
        for (int i = 0; i < events; i++) {
            if (i > 0) {
                body.append(',');
            }
            UUID id = UUID.randomUUID();
            body.append("{\"id\":\"").append(id).append("\",\"type\":\"price\",\"sku\":\"").append(sku(id))
                    .append("\",\"amount\":").append(i % 1000).append(".99,\"currency\":\"EUR\",\"source\":\"bench\"}");
        }
        return body.append(events == 1 ? "" : "]").toString();
    }

}
