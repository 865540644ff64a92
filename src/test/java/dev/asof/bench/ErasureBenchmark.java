package dev.asof.bench;

import dev.asof.support.PackagedService;
import dev.asof.support.Postgres;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What an erasure costs (issue 24): loads {@code bench.erasureEvents} (default 200,000) price
 * events and one customer's three events into the packaged service with a PostgreSQL journal,
 * erases the customer, and reports how long the request took, how long the database copy took,
 * and how many journal rows were rewritten; then restarts it and reports the replay of the same
 * journal, the anchor measured alongside (an erasure copies the database the way a replay builds
 * it). Run with {@code ./mvnw -Pbench verify -Dbench.main=dev.asof.bench.ErasureBenchmark}.
 */
public final class ErasureBenchmark {
    private static final int EVENTS = Integer.getInteger("bench.erasureEvents", 200_000);
    private static final int LINES = 10_000;
    private static final String ERASE_TOKEN = "bench-erase";
    private static final Pattern COPIED = Pattern.compile("Copied the database up to t=(\\d+) without one customer's personal data in (\\d+) ms");
    private static final Pattern REWROTE = Pattern.compile("an erasure rewrote (\\d+) rows");
    private static final Pattern REPLAYED = Pattern.compile("Replayed (\\d+) journaled batches \\((\\d+) events,[^)]*\\) in ([0-9.]+) s");

    private ErasureBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        String database = Postgres.freshDatabase();
        String url = Postgres.server().url(database);
        int port = PackagedService.freePort();
        String base = "http://127.0.0.1:" + port;
        HttpClient client = HttpClient.newHttpClient();
        String id = "bench." + UUID.randomUUID() + "@example.org";
        double eraseSeconds;
        try (PackagedService first = start(url, port, "bench-erasure")) {
            first.awaitReady(Duration.ofMinutes(2));
            post(client, base, "application/json", "[{\"type\":\"customer\",\"customerId\":\"" + id
                    + "\",\"name\":\"Bench Person\",\"email\":\"bench@example.org\",\"city\":\"Basel\"}]");
            for (int sent = 0; sent < EVENTS; sent += LINES) {
                StringBuilder ndjson = new StringBuilder(LINES * 110);
                for (int i = 0; i < LINES; i++) {
                    ndjson.append("{\"id\":\"").append(UUID.randomUUID()).append("\",\"type\":\"price\",\"sku\":\"E-")
                            .append((sent + i) % 50_000).append("\",\"amount\":").append(i % 997).append(".95")
                            .append(",\"currency\":\"EUR\"}\n");
                }
                post(client, base, "application/x-ndjson", ndjson.toString());
                if (sent == EVENTS / 2) {
                    post(client, base, "application/json", "[{\"type\":\"customer\",\"customerId\":\"" + id
                            + "\",\"name\":\"Bench Person II\"}]");
                }
            }
            long started = System.nanoTime();
            HttpResponse<String> erased = client.send(HttpRequest.newBuilder(URI.create(base + "/customers/" + id + "/erasure"))
                    .header("Authorization", "Bearer " + ERASE_TOKEN).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"reason\":\"benchmark\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            eraseSeconds = (System.nanoTime() - started) / 1e9;
            if (erased.statusCode() != 201) {
                throw new IllegalStateException("Erasure answered " + erased.statusCode() + ": " + erased.body());
            }
        }
        String log = Files.readString(Path.of("target", "bench-erasure.log"));
        Matcher copied = COPIED.matcher(log);
        Matcher rewrote = REWROTE.matcher(log);
        if (!copied.find() || !rewrote.find()) {
            throw new IllegalStateException("No erasure lines in target/bench-erasure.log");
        }
        try (PackagedService second = start(url, port, "bench-erasure-replay")) {
            second.awaitReady(Duration.ofMinutes(30));
            Matcher replayed = REPLAYED.matcher(Files.readString(Path.of("target", "bench-erasure-replay.log")));
            if (!replayed.find()) {
                throw new IllegalStateException("No replay line in target/bench-erasure-replay.log");
            }
            double replaySeconds = Double.parseDouble(replayed.group(3));
            double copySeconds = Long.parseLong(copied.group(2)) / 1000.0;
            System.out.println("| measurement | events | seconds | ratio to the replay |");
            System.out.println("|---|---|---|---|");
            System.out.printf(Locale.ROOT, "| erasure request (copy, journal rewrite of %s rows, swap) | %,d | %.1f | %.2f |%n",
                    rewrote.group(1), EVENTS + 2, eraseSeconds, eraseSeconds / replaySeconds);
            System.out.printf(Locale.ROOT, "| of which the database copy (to t=%s) | %,d | %.1f | %.2f |%n", copied.group(1),
                    EVENTS + 2, copySeconds, copySeconds / replaySeconds);
            System.out.printf(Locale.ROOT, "| journal replay at start-up (anchor) | %s | %.1f | 1.00 |%n", replayed.group(2),
                    replaySeconds);
        }
    }

    private static void post(HttpClient client, String base, String type, String body) throws Exception {
        HttpResponse<Void> response = client.send(HttpRequest.newBuilder(URI.create(base + "/events"))
                .header("Authorization", PackagedService.AUTHORIZATION).header("Content-Type", type)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.discarding());
        if (response.statusCode() != 201) {
            throw new IllegalStateException("Load failed with " + response.statusCode());
        }
    }

    private static PackagedService start(String url, int port, String log) throws Exception {
        return PackagedService.start(port, log, Map.of("DATABASE_URL", url, "ASOF_ERASE_TOKENS", "bench:" + ERASE_TOKEN),
                List.of("-Xmx2g"));
    }
}
