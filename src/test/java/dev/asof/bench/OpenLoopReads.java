package dev.asof.bench;

import dev.asof.bench.OpenLoop.Answer;
import dev.asof.bench.OpenLoop.Request;
import dev.asof.bench.OpenLoop.Schedule;
import dev.asof.support.PackagedService;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.HdrHistogram.Histogram;

/**
 * k6/asof.js, open-loop, without k6: loads 500 SKUs × 8 weekly versions (one NDJSON request a
 * version), then {@code bench.readRate} reads/s (asof.js's nominal 2,000) for 2 minutes: as-of
 * point reads at a loaded t (60%), valid-at reads (25%), history pages of 5 (15%). The script's
 * thresholds: failures under 1%; as-of and valid-at p95 under 10 ms and p99 under 25 ms; history
 * p95 under 50 ms and p99 under 150 ms. Exits 1 when one fails.
 *
 * <pre>
 * ./mvnw -Pbench verify -Dbench.main=dev.asof.bench.OpenLoopReads -Dbench.readRate=2000
 * ./mvnw -Pbench verify -Dbench.main=dev.asof.bench.OpenLoopReads -Dbench.base=http://localhost:8080 -Dbench.token=...
 * </pre>
 */
public final class OpenLoopReads {
    private static final int SKUS = 500;
    private static final int VERSIONS = 8;
    private static final Instant FIRST = Instant.parse("2026-01-01T00:00:00Z");
    private static final Pattern T = Pattern.compile("\"t\":(\\d+)");

    private OpenLoopReads() {
    }

    public static void main(String[] args) throws Exception {
        double rate = Double.parseDouble(System.getProperty("bench.readRate", "2000"));
        Duration length = Duration.ofSeconds(Long.getLong("bench.readSeconds", 120));
        String given = System.getProperty("bench.base", "");
        String token = System.getProperty("bench.token", "");
        PackagedService service = null;
        if (given.isEmpty()) {
            token = PackagedService.TOKEN;
            service = PackagedService.start(PackagedService.freePort(), "bench-open-loop-reads", Map.of(),
                    List.of("-Xmx2g", "-XX:MaxGCPauseMillis=10", "-Dquarkus.log.level=WARN"));
            service.awaitReady(Duration.ofSeconds(60));
        }
        String base = service != null ? service.base() : given;
        int status;
        try (OpenLoop load = new OpenLoop(URI.create(base), 256)) {
            Map<String, String> auth = token.isEmpty() ? Map.of() : Map.of("Authorization", "Bearer " + token);
            List<Long> ts = load(base, auth);
            load.warmUp();
            String run = Long.toString(System.nanoTime() % 100_000);
            status = run(load, auth, ts, rate, length, run);
        } finally {
            if (service != null) {
                service.close();
            }
        }
        System.exit(status);
    }

    /** asof.js's setup: one NDJSON request a weekly version; returns each one's t. */
    private static List<Long> load(String base, Map<String, String> auth) throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        SplittableRandom random = new SplittableRandom(42);
        List<Long> ts = new ArrayList<>();
        for (int v = 0; v < VERSIONS; v++) {
            StringBuilder lines = new StringBuilder();
            for (int s = 0; s < SKUS; s++) {
                lines.append("{\"type\":\"price\",\"sku\":\"OLR-").append(s).append("\",\"amount\":")
                        .append(String.format(Locale.ROOT, "%.2f", random.nextInt(10_000) / 100.0))
                        .append(",\"currency\":\"EUR\",\"effectiveAt\":\"").append(FIRST.plus(Duration.ofDays(7L * v)))
                        .append("\"}\n");
            }
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + "/events"))
                    .header("Content-Type", "application/x-ndjson").POST(HttpRequest.BodyPublishers.ofString(lines.toString()));
            auth.forEach(request::header);
            HttpResponse<String> answer = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
            Matcher t = T.matcher(answer.body());
            if (answer.statusCode() != 201 || !t.find()) {
                throw new IllegalStateException("load failed: " + answer.statusCode() + " " + answer.body());
            }
            ts.add(Long.parseLong(t.group(1)));
        }
        return ts;
    }

    private static int run(OpenLoop load, Map<String, String> auth, List<Long> ts, double rate, Duration length, String run)
            throws InterruptedException {
        SplittableRandom random = new SplittableRandom(31);
        Histogram asOf = OpenLoop.histogram();
        Histogram validAt = OpenLoop.histogram();
        Histogram history = OpenLoop.histogram();
        java.util.TreeMap<Integer, Histogram> windows = new java.util.TreeMap<>();
        long[] failures = new long[1];
        long[] total = new long[1];
        System.out.printf(Locale.ROOT, "open-loop reads at %.0f/s for %s, %s%n", rate, length, Instant.now());
        load.run(List.of(new OpenLoop.Scenario("reads", Schedule.constant(rate, length), n -> {
            String sku = "OLR-" + random.nextInt(SKUS);
            double which = random.nextDouble();
            if (which < 0.6) {
                return Request.get("/prices/" + sku + "?asOf=" + ts.get(random.nextInt(ts.size())), auth);
            } else if (which < 0.85) {
                return Request.get("/prices/" + sku + "?validAt=" + FIRST.plus(Duration.ofDays(random.nextInt(VERSIONS * 7))), auth);
            }
            return Request.get("/prices/" + sku + "/history?limit=5", auth);
        }, answer -> {
            total[0]++;
            if (answer.status() != 200) {
                failures[0]++;
            }
            Histogram kind = answer.uri().contains("/history") ? history : answer.uri().contains("validAt=") ? validAt : asOf;
            kind.recordValue(answer.micros());
            windows.computeIfAbsent((int) (answer.sentAtSeconds() / 10), w -> OpenLoop.histogram()).recordValue(answer.micros());
        })));
        System.out.println();
        System.out.println("| sent at (s) | reads | p50 ms | p99 ms | max ms |");
        System.out.println("|---|---|---|---|---|");
        windows.forEach((w, h) -> System.out.printf(Locale.ROOT, "| %d–%d | %d | %.2f | %.2f | %.2f |%n", w * 10, w * 10 + 10,
                h.getTotalCount(), OpenLoop.millis(h, 50), OpenLoop.millis(h, 99), h.getMaxValue() / 1000.0));
        System.out.println();
        System.out.println("| kind | count | p50 ms | p95 ms | p99 ms | threshold | holds |");
        System.out.println("|---|---|---|---|---|---|---|");
        boolean all = row("as-of", asOf, 10, 25) & row("valid-at", validAt, 10, 25) & row("history", history, 50, 150);
        double failed = total[0] == 0 ? 1 : (double) failures[0] / total[0];
        System.out.printf(Locale.ROOT, "| failures | %d of %d | | | | < 1%% | %s |%n", failures[0], total[0], failed < 0.01 ? "yes" : "**no**");
        return all && failed < 0.01 ? 0 : 1;
    }

    private static boolean row(String kind, Histogram histogram, double p95, double p99) {
        boolean holds = OpenLoop.millis(histogram, 95) < p95 && OpenLoop.millis(histogram, 99) < p99;
        System.out.printf(Locale.ROOT, "| %s | %d | %.2f | %.2f | %.2f | p95 < %.0f, p99 < %.0f | %s |%n", kind,
                histogram.getTotalCount(), OpenLoop.millis(histogram, 50), OpenLoop.millis(histogram, 95),
                OpenLoop.millis(histogram, 99), p95, p99, holds ? "yes" : "**no**");
        return holds;
    }
}
