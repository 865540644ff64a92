package dev.asof.bench;

import dev.asof.bench.OpenLoop.Answer;
import dev.asof.bench.OpenLoop.Request;
import dev.asof.bench.OpenLoop.Schedule;
import dev.asof.bench.OpenLoop.Stage;
import dev.asof.support.PackagedService;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;

/**
 * k6/overload.js, open-loop, without k6: 100-event POSTs at a ramping arrival rate far past what
 * one transact worker commits (10/s to 100/s in 20 s, to 600/s in 30 s, 600/s for 60 s, down to
 * 20/s in 10 s, 20/s for 40 s), and 200 reads/s of {@code GET /prices/{sku}} throughout, every
 * rate multiplied by {@code bench.scale}. The same thresholds as the script: no status but
 * 2xx/404/429; 429s p99 under 100 ms and each with Retry-After; accepted writes p99 under 5 s;
 * reads p99 under 200 ms; every write of the last 20 s (the load dropped 40 s before) accepted.
 *
 * <pre>
 * ./mvnw -Pbench verify -Dbench.main=dev.asof.bench.OpenLoopOverload -Dbench.scale=0.5
 * # against a service already running (the generator alone):
 * ./mvnw -Pbench verify -Dbench.main=dev.asof.bench.OpenLoopOverload -Dbench.base=http://localhost:8080 -Dbench.token=...
 * </pre>
 *
 * <p>Without {@code bench.base} it starts the packaged service as the k6 runs did
 * ({@code -Xmx2g -XX:MaxGCPauseMillis=10}, {@code datomic:mem}, {@code bench.serviceOpts} added),
 * on the same cores as the generator. Exits 1 when a threshold fails.
 */
public final class OpenLoopOverload {
    private static final double SCALE = Double.parseDouble(System.getProperty("bench.scale", "1"));
    private static final int MAX_CONNECTIONS = Integer.getInteger("bench.maxConnections", 1500);
    /** Writes sent this long after the start must all be accepted (overload.js: 140 s, i.e. its last 20 s). */
    private static final double RECOVERED_AFTER = 140;
    private static final int WINDOW_SECONDS = 10;

    private OpenLoopOverload() {
    }

    public static void main(String[] args) throws Exception {
        String given = System.getProperty("bench.base", "");
        String token = System.getProperty("bench.token", "");
        if (token.isEmpty() && given.isEmpty()) {
            token = PackagedService.TOKEN;
        }
        PackagedService service = null;
        if (given.isEmpty()) {
            List<String> jvm = new ArrayList<>(List.of("-Xmx2g", "-XX:MaxGCPauseMillis=10", "-Dquarkus.log.level=WARN"));
            String opts = System.getProperty("bench.serviceOpts", "");
            if (!opts.isBlank()) {
                jvm.addAll(List.of(opts.trim().split("\\s+")));
            }
            service = PackagedService.start(PackagedService.freePort(), "bench-open-loop", Map.of(), jvm);
            service.awaitReady(Duration.ofSeconds(60));
        }
        String base = service != null ? service.base() : given;
        int status;
        try (OpenLoop load = new OpenLoop(URI.create(base), MAX_CONNECTIONS)) {
            load.warmUp();
            status = run(load, token);
        } finally {
            if (service != null) {
                service.close();
            }
        }
        System.exit(status);
    }

    private static int run(OpenLoop load, String token) throws InterruptedException {
        Map<String, String> auth = token.isEmpty() ? Map.of() : Map.of("Authorization", "Bearer " + token);
        Map<String, String> write = new java.util.HashMap<>(auth);
        write.put("Content-Type", "application/json");
        Schedule flood = new Schedule(scaled(10), List.of(
                new Stage(scaled(100), Duration.ofSeconds(20)),
                new Stage(scaled(600), Duration.ofSeconds(30)),
                new Stage(scaled(600), Duration.ofSeconds(60)),
                new Stage(scaled(20), Duration.ofSeconds(10)),
                new Stage(scaled(20), Duration.ofSeconds(40))));
        Schedule readers = Schedule.constant(scaled(200), Duration.ofSeconds(160));
        Tally tally = new Tally();
        SplittableRandom writes = new SplittableRandom(42 * 17);
        SplittableRandom reads = new SplittableRandom(42 * 19);
        System.out.printf(Locale.ROOT, "open-loop overload at scale %s, %s, up to %d connections%n", SCALE,
                Instant.now(), MAX_CONNECTIONS);
        load.run(List.of(
                new OpenLoop.Scenario("flood", flood,
                        n -> new Request(HttpMethod.POST, "/events", write, Buffer.buffer(Bodies.batch(writes, 100))),
                        tally::write),
                new OpenLoop.Scenario("readers", readers,
                        n -> Request.get("/prices/" + Bodies.sku(reads), auth), tally::read)));
        return tally.report(load.mostOutstanding());
    }

    private static double scaled(double rate) {
        return rate == 0 ? 0 : Math.max(1, Math.round(rate * SCALE));
    }

    /** The answers, as overload.js's metrics and thresholds count them; touched on the client's event loop only. */
    private static final class Tally {
        final Histogram shed = OpenLoop.histogram();
        final Histogram accepted = OpenLoop.histogram();
        final Histogram reads = OpenLoop.histogram();
        final TreeMap<Integer, Window> windows = new TreeMap<>();
        long unexpected;
        long withoutRetryAfter;
        long lateWrites;
        long lateAccepted;
        final TreeMap<Integer, Long> statuses = new TreeMap<>();

        void write(Answer answer) {
            Window window = window(answer);
            statuses.merge(answer.status(), 1L, Long::sum);
            switch (answer.status()) {
                case 429 -> {
                    shed.recordValue(answer.micros());
                    window.shed.recordValue(answer.micros());
                    if (answer.retryAfter() == null || !(parse(answer.retryAfter()) > 0)) {
                        withoutRetryAfter++;
                    }
                }
                case 200, 201 -> {
                    accepted.recordValue(answer.micros());
                    window.accepted.recordValue(answer.micros());
                }
                default -> {
                    unexpected++;
                    window.other++;
                }
            }
            if (answer.sentAtSeconds() >= RECOVERED_AFTER) {
                lateWrites++;
                if (answer.status() == 200 || answer.status() == 201) {
                    lateAccepted++;
                }
            }
        }

        void read(Answer answer) {
            Window window = window(answer);
            reads.recordValue(answer.micros());
            window.reads.recordValue(answer.micros());
            if (answer.status() != 200 && answer.status() != 404) {
                unexpected++;
                window.other++;
                statuses.merge(answer.status(), 1L, Long::sum);
            }
        }

        private Window window(Answer answer) {
            return windows.computeIfAbsent((int) (answer.sentAtSeconds() / WINDOW_SECONDS), w -> new Window());
        }

        private static double parse(String number) {
            try {
                return Double.parseDouble(number.trim());
            } catch (NumberFormatException e) {
                return 0;
            }
        }

        int report(int mostOutstanding) {
            System.out.println();
            System.out.println("| sent at (s) | accepted | accepted p99 ms | 429 | 429 p99 ms | other | reads | reads p99 ms |");
            System.out.println("|---|---|---|---|---|---|---|---|");
            windows.forEach((w, window) -> System.out.printf(Locale.ROOT, "| %d–%d | %d | %.0f | %d | %.0f | %d | %d | %.0f |%n",
                    w * WINDOW_SECONDS, (w + 1) * WINDOW_SECONDS, window.accepted.getTotalCount(),
                    OpenLoop.millis(window.accepted, 99), window.shed.getTotalCount(), OpenLoop.millis(window.shed, 99),
                    window.other, window.reads.getTotalCount(), OpenLoop.millis(window.reads, 99)));
            System.out.println();
            double recovered = lateWrites == 0 ? 0 : (double) lateAccepted / lateWrites;
            List<String[]> rows = List.of(
                    row("statuses other than 2xx/404/429 (connection failures count as 0)", unexpected + " " + statuses,
                            unexpected == 0, "count == 0"),
                    row("429 latency p50 / p99", ms(shed), OpenLoop.millis(shed, 99) < 100 || shed.getTotalCount() == 0,
                            "p99 < 100 ms"),
                    row("429s without Retry-After", Long.toString(withoutRetryAfter), withoutRetryAfter == 0, "none"),
                    row("accepted write latency p50 / p99", ms(accepted), OpenLoop.millis(accepted, 99) < 5000, "p99 < 5000 ms"),
                    row("read latency p50 / p99", ms(reads), OpenLoop.millis(reads, 99) < 200, "p99 < 200 ms"),
                    row("writes accepted after the load dropped", String.format(Locale.ROOT, "%.1f%% of %d", 100 * recovered,
                            lateWrites), recovered > 0.99, "> 99%"));
            System.out.println("| threshold (k6/overload.js) | measured | holds |");
            System.out.println("|---|---|---|");
            boolean all = true;
            for (String[] row : rows) {
                System.out.printf("| %s: %s | %s | %s |%n", row[0], row[3], row[1], row[2]);
                all &= row[2].equals("yes");
            }
            System.out.printf(Locale.ROOT, "| writes: accepted / 429 / other | %d / %d / %d | |%n", accepted.getTotalCount(),
                    shed.getTotalCount(), statuses.entrySet().stream().filter(e -> e.getKey() != 429 && e.getKey() != 200
                            && e.getKey() != 201).mapToLong(Map.Entry::getValue).sum());
            System.out.printf("| most requests outstanding at once | %d | |%n", mostOutstanding);
            return all ? 0 : 1;
        }

        private static String[] row(String what, String measured, boolean holds, String threshold) {
            return new String[] {what, measured, holds ? "yes" : "**no**", threshold};
        }

        private static String ms(Histogram histogram) {
            return String.format(Locale.ROOT, "%.1f / %.1f ms (%d)", OpenLoop.millis(histogram, 50),
                    OpenLoop.millis(histogram, 99), histogram.getTotalCount());
        }
    }

    private static final class Window {
        final Histogram shed = OpenLoop.histogram();
        final Histogram accepted = OpenLoop.histogram();
        final Histogram reads = OpenLoop.histogram();
        long other;
    }
}
