package dev.asof.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.asof.support.PackagedService;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * History pages of a hot SKU against a cold one: loads {@code bench.historyVersions} (default
 * 100,000) versions of one SKU and 10 of another into the packaged service, then times pages of
 * 100 — first, deep in (by cursor), both orders — one client, sequential, after a warm-up; and
 * the newest page of 1 of a SKU whose one version was sent again {@code bench.historyResends}
 * (default 10,000) times under new ids, events that change nothing (issue 19: 103 ms, linear in
 * them, when pages read them). Run with
 * {@code ./mvnw -Pbench verify -Dbench.main=dev.asof.bench.HistoryBenchmark}.
 */
public final class HistoryBenchmark {
    private static final int VERSIONS = Integer.getInteger("bench.historyVersions", 100_000);
    private static final int RESENDS = Integer.getInteger("bench.historyResends", 10_000);
    private static final int ROUNDS = 200;

    private HistoryBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int port = PackagedService.freePort();
        String base = "http://127.0.0.1:" + port;
        HttpClient client = HttpClient.newHttpClient();
        ObjectMapper json = new ObjectMapper();
        try (PackagedService service = PackagedService.start(port, "bench-history", Map.of(), List.of("-Xmx2g"))) {
            service.awaitReady(Duration.ofSeconds(90));
            long loadStarted = System.nanoTime();
            load(client, base, "HOT", VERSIONS);
            load(client, base, "COLD", 10);
            resend(client, base, "RESENT", RESENDS);
            System.out.printf("loaded %d versions of HOT, 10 of COLD and one of RESENT sent %d times in %.1f s%n",
                    VERSIONS, RESENDS + 1, (System.nanoTime() - loadStarted) / 1e9);
            Map<String, String> paths = new LinkedHashMap<>();
            paths.put("HOT asc, first page", "/prices/HOT/history?limit=100");
            paths.put("HOT desc, first page", "/prices/HOT/history?limit=100&order=desc");
            paths.put("HOT asc, deep cursor", deep(client, json, base, "/prices/HOT/history?limit=100", VERSIONS / 200));
            paths.put("HOT desc, deep cursor", deep(client, json, base, "/prices/HOT/history?limit=100&order=desc", VERSIONS / 200));
            paths.put("COLD asc, first page", "/prices/COLD/history?limit=100");
            // Timed to the newest item: following next while pages come back empty.
            paths.put("RESENT desc, newest item", "/prices/RESENT/history?limit=1&order=desc");
            for (int warm = 0; warm < 3; warm++) {
                for (String path : paths.values()) {
                    for (int i = 0; i < ROUNDS; i++) {
                        firstItem(client, json, base, path);
                    }
                }
            }
            System.out.printf("%-24s %10s %10s %10s%n", "page of 100", "p50 ms", "p99 ms", "max ms");
            for (Map.Entry<String, String> path : paths.entrySet()) {
                double[] ms = new double[ROUNDS];
                for (int i = 0; i < ROUNDS; i++) {
                    long started = System.nanoTime();
                    firstItem(client, json, base, path.getValue());
                    ms[i] = (System.nanoTime() - started) / 1e6;
                }
                Arrays.sort(ms);
                System.out.printf("%-24s %10.2f %10.2f %10.2f%n", path.getKey(), ms[ROUNDS / 2], ms[ROUNDS * 99 / 100],
                        ms[ROUNDS - 1]);
            }
        }
    }

    /**
     * GETs {@code path}, and while its page is empty but says a page follows (a read bound ended
     * it), the next: what a client pays to reach the first item.
     */
    private static void firstItem(HttpClient client, ObjectMapper json, String base, String path) throws Exception {
        String first = path.replaceAll("&cursor=[^&]*", "");
        for (JsonNode page = json.readTree(get(client, base + path)); page.get("items").isEmpty() && page.hasNonNull("next");
                page = json.readTree(get(client, base + first + "&cursor=" + page.get("next").asText()))) {
            // an empty page: on to the next
        }
    }

    /** The path of the page {@code pages} pages in, by following next cursors. */
    private static String deep(HttpClient client, ObjectMapper json, String base, String first, int pages) throws Exception {
        String path = first;
        for (int i = 0; i < pages; i++) {
            JsonNode page = json.readTree(get(client, base + path));
            path = first + "&cursor=" + page.get("next").asText();
        }
        return path;
    }

    private static void load(HttpClient client, String base, String sku, int versions) throws Exception {
        Instant start = Instant.parse("2000-01-01T00:00:00Z");
        for (int from = 0; from < versions; from += 10_000) {
            StringBuilder ndjson = new StringBuilder();
            for (int i = from; i < Math.min(versions, from + 10_000); i++) {
                ndjson.append("{\"type\":\"price\",\"sku\":\"").append(sku).append("\",\"amount\":").append(i % 1000)
                        .append(".5,\"currency\":\"EUR\",\"effectiveAt\":\"").append(start.plusSeconds(3600L * i))
                        .append("\"}\n");
            }
            Load.postNdjson(client, base, ndjson.toString());
        }
    }

    /** One version of {@code sku}, then the same price {@code times} more under new ids (requests of 10,000). */
    private static void resend(HttpClient client, String base, String sku, int times) throws Exception {
        Load.postNdjson(client, base, samePrice(sku));
        for (int sent = 0; sent < times; sent += 10_000) {
            StringBuilder ndjson = new StringBuilder();
            for (int i = 0; i < Math.min(10_000, times - sent); i++) {
                ndjson.append(samePrice(sku));
            }
            Load.postNdjson(client, base, ndjson.toString());
        }
    }

    /** The one price of {@code sku}, under a new id: an NDJSON line. */
    private static String samePrice(String sku) {
        return "{\"id\":\"" + java.util.UUID.randomUUID() + "\",\"type\":\"price\",\"sku\":\"" + sku
                + "\",\"amount\":1.5,\"currency\":\"EUR\",\"effectiveAt\":\"2000-01-01T00:00:00Z\"}\n";
    }

    private static String get(HttpClient client, String url) throws Exception {
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException(response.statusCode() + " " + response.body());
        }
        return response.body();
    }
}
