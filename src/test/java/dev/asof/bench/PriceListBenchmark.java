package dev.asof.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.asof.support.PackagedService;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The whole price list (issue 23): loads {@code bench.listSkus} SKUs (default 100,000) of
 * {@code bench.listVersions} versions each (default 10: a 1,000,000-version price list) into the
 * packaged service, then
 * <ul>
 * <li>times the diff {@code GET /prices?since=&asOf=} when 1 SKU changed between the points and
 * when 10,000 did (every page, 1,000 a page), against the anchor a diff replaces: reading the whole
 * list at one point as JSON pages (a client comparing two lists reads two);</li>
 * <li>streams the price list as CSV and NDJSON and the events as NDJSON, counting rows a second,
 * while sampling the service's old generation in use ({@code /q/metrics}, every 50 ms: what a
 * stream would keep, where its garbage dies young) against what it held before.</li>
 * </ul>
 * One client, sequential. Run with
 * {@code ./mvnw -Pbench verify -Dbench.main=dev.asof.bench.PriceListBenchmark}.
 */
public final class PriceListBenchmark {
    private static final int SKUS = Integer.getInteger("bench.listSkus", 100_000);
    private static final int VERSIONS = Integer.getInteger("bench.listVersions", 10);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The old generation in use: what a stream would keep (its garbage dies young), not what it churns. */
    private static final Pattern OLD = Pattern.compile("jvm_memory_used_bytes\\{area=\"heap\",id=\"G1 Old Gen\"} ([0-9.E+]+)");

    private PriceListBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int port = PackagedService.freePort();
        String base = "http://127.0.0.1:" + port;
        HttpClient client = HttpClient.newHttpClient();
        try (PackagedService service = PackagedService.start(port, "bench-price-list", Map.of(), List.of("-Xmx4g"))) {
            service.awaitReady(Duration.ofSeconds(90));
            long started = System.nanoTime();
            for (int version = 0; version < VERSIONS; version++) {
                load(client, base, 0, SKUS, version, "1");
            }
            System.out.printf("loaded %,d SKUs x %d versions in %.1f s%n", SKUS, VERSIONS, (System.nanoTime() - started) / 1e9);
            long a = basis(client, base);
            load(client, base, 0, 1, VERSIONS - 1, "2"); // one SKU's newest version corrected
            long b = basis(client, base);
            load(client, base, 0, Math.min(10_000, SKUS), VERSIONS - 1, "3"); // 10,000 SKUs' corrected
            long c = basis(client, base);

            System.out.printf("%-44s %8s %10s %10s %10s%n", "read (one client, sequential)", "rounds", "p50 ms", "p99 ms", "items");
            time(client, base, "diff, 1 of " + SKUS + " SKUs changed", "/prices?limit=1000&since=" + a + "&asOf=" + b, 200);
            time(client, base, "diff, 10,000 of " + SKUS + " changed (all pages)", "/prices?limit=1000&since=" + b + "&asOf=" + c, 20);
            time(client, base, "anchor: the list at one point (all pages)", "/prices?limit=1000&asOf=" + c, 5);

            System.out.printf("%n%-30s %10s %12s %10s %14s %14s%n", "export", "rows", "bytes", "seconds", "rows/s",
                    "old gen MB before/max");
            for (int round = 0; round < 2; round++) {
                export(client, base, "price list, CSV", "/prices?format=csv&asOf=" + c);
                export(client, base, "price list, NDJSON", "/prices?format=ndjson&asOf=" + c);
                export(client, base, "events, NDJSON", "/events?until=" + c);
            }
        }
    }

    /** SKUs {@code from} to {@code to}'s version {@code version}, amount {@code amount}.{version}: NDJSON of 10,000 lines. */
    private static void load(HttpClient client, String base, int from, int to, int version, String amount) throws Exception {
        String effectiveAt = Instant.parse("2000-01-01T00:00:00Z").plus(Duration.ofDays(version)).toString();
        for (int first = from; first < to; first += 10_000) {
            StringBuilder ndjson = new StringBuilder();
            for (int i = first; i < Math.min(to, first + 10_000); i++) {
                ndjson.append("{\"type\":\"price\",\"sku\":\"L-").append(String.format("%07d", i)).append("\",\"amount\":")
                        .append(amount).append('.').append(version).append(",\"currency\":\"EUR\",\"effectiveAt\":\"")
                        .append(effectiveAt).append("\"}\n");
            }
            Load.postNdjson(client, base, ndjson.toString());
        }
    }

    private static long basis(HttpClient client, String base) throws Exception {
        return JSON.readTree(get(client, base + "/prices?limit=1").body()).get("items").get(0).get("basisT").asLong();
    }

    /** Every page of {@code path}, {@code rounds} times after a warm-up: the time to read them all. */
    private static void time(HttpClient client, String base, String name, String path, int rounds) throws Exception {
        double[] ms = new double[rounds];
        long items = 0;
        for (int round = -Math.max(2, rounds / 10); round < rounds; round++) {
            long started = System.nanoTime();
            items = 0;
            String cursor = null;
            do {
                JsonNode page = JSON.readTree(get(client, base + path + (cursor == null ? "" : "&cursor=" + cursor)).body());
                items += page.get("items").size();
                cursor = page.hasNonNull("next") ? page.get("next").asText() : null;
            } while (cursor != null);
            if (round >= 0) {
                ms[round] = (System.nanoTime() - started) / 1e6;
            }
        }
        Arrays.sort(ms);
        System.out.printf("%-44s %8d %10.2f %10.2f %10d%n", name, rounds, ms[rounds / 2], ms[Math.min(rounds - 1, rounds * 99 / 100)], items);
    }

    /** Streams {@code path} to nothing, counting its lines, while the heap in use is sampled. */
    private static void export(HttpClient client, String base, String name, String path) throws Exception {
        double before = heapMb(client, base);
        AtomicLong max = new AtomicLong((long) before);
        AtomicBoolean done = new AtomicBoolean();
        Thread sampler = new Thread(() -> {
            while (!done.get()) {
                try {
                    max.accumulateAndGet((long) heapMb(client, base), Math::max);
                    Thread.sleep(50);
                } catch (Exception e) {
                    return;
                }
            }
        });
        sampler.start();
        long started = System.nanoTime();
        HttpResponse<InputStream> response = client.send(HttpRequest.newBuilder(URI.create(base + path)).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        long rows = 0;
        long bytes = 0;
        byte[] buffer = new byte[65536];
        try (InputStream in = response.body()) {
            for (int n; (n = in.read(buffer)) > 0; ) {
                bytes += n;
                for (int i = 0; i < n; i++) {
                    if (buffer[i] == '\n') {
                        rows++;
                    }
                }
            }
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        done.set(true);
        sampler.join();
        if (response.statusCode() != 200) {
            throw new IllegalStateException(name + ": " + response.statusCode());
        }
        System.out.printf("%-30s %,10d %,12d %10.2f %,14.0f %8.0f / %.0f%n", name, rows, bytes, seconds, rows / seconds,
                before, (double) max.get());
    }

    private static double heapMb(HttpClient client, String base) throws Exception {
        double bytes = 0;
        Matcher m = OLD.matcher(get(client, base + "/q/metrics").body());
        while (m.find()) {
            bytes += Double.parseDouble(m.group(1));
        }
        return bytes / (1024 * 1024);
    }

    private static HttpResponse<String> get(HttpClient client, String url) throws Exception {
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException(url + ": " + response.statusCode() + " " + response.body());
        }
        return response;
    }
}
