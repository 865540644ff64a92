package dev.asof.bench;

import dev.asof.support.PackagedService;
import dev.asof.support.Postgres;
import java.util.List;
import java.util.Map;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Journal replay speed: loads {@code bench.replayEvents} (default 1,000,000) price events into the
 * packaged service with a PostgreSQL journal, stops it, starts it again, and reports how long the
 * replay took. Run with {@code ./mvnw -Pbench verify -Dbench.main=dev.asof.bench.ReplayBenchmark}.
 */
public final class ReplayBenchmark {
    private static final int EVENTS = Integer.getInteger("bench.replayEvents", 1_000_000);
    private static final int LINES = 10_000;
    private static final Pattern REPLAYED = Pattern.compile(
            "Replayed (\\d+) journaled batches \\((\\d+) events, \\d+ instants clamped\\) in ([0-9.]+) s");

    private ReplayBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        String database = Postgres.freshDatabase();
        String url = Postgres.server().url(database);
        int port = PackagedService.freePort();
        String base = "http://127.0.0.1:" + port;
        HttpClient client = HttpClient.newHttpClient();

        long loadStart;
        try (PackagedService first = start(url, port, "bench-replay-load")) {
            first.awaitReady(Duration.ofMinutes(2));
            loadStart = System.nanoTime();
            for (int sent = 0; sent < EVENTS; sent += LINES) {
                StringBuilder ndjson = new StringBuilder(LINES * 110);
                for (int i = 0; i < LINES; i++) {
                    ndjson.append("{\"id\":\"").append(UUID.randomUUID()).append("\",\"type\":\"price\",\"sku\":\"S-")
                            .append((sent + i) % 50_000).append("\",\"amount\":").append(i % 997).append(".95")
                            .append(",\"currency\":\"EUR\",\"effectiveAt\":\"2026-01-01T00:00:")
                            .append(String.format("%02d", (sent / 50_000) % 60)).append("Z\"}\n");
                }
                HttpResponse<Void> response = client.send(HttpRequest.newBuilder(URI.create(base + "/events"))
                        .header("Authorization", PackagedService.AUTHORIZATION).header("Content-Type", "application/x-ndjson")
                        .POST(HttpRequest.BodyPublishers.ofString(ndjson.toString())).build(),
                        HttpResponse.BodyHandlers.discarding());
                if (response.statusCode() != 201) {
                    throw new IllegalStateException("Load failed with " + response.statusCode());
                }
            }
        }
        double loadSeconds = (System.nanoTime() - loadStart) / 1e9;

        long restart = System.nanoTime();
        try (PackagedService second = start(url, port, "bench-replay")) {
            second.awaitReady(Duration.ofMinutes(30));
            double readySeconds = (System.nanoTime() - restart) / 1e9;
            String log = Files.readString(Path.of("target", "bench-replay.log"));
            Matcher m = REPLAYED.matcher(log);
            if (!m.find()) {
                throw new IllegalStateException("No replay line in target/bench-replay.log");
            }
            long events = Long.parseLong(m.group(2));
            double seconds = Double.parseDouble(m.group(3));
            System.out.println("| measurement | events | batches | seconds | events/s |");
            System.out.println("|---|---|---|---|---|");
            System.out.printf(Locale.ROOT, "| load through HTTP (NDJSON, %d lines a request), journal on | %,d | - | %.1f | %,.0f |%n",
                    LINES, EVENTS, loadSeconds, EVENTS / loadSeconds);
            System.out.printf(Locale.ROOT, "| journal replay at start-up | %,d | %s | %.1f | %,.0f |%n",
                    events, m.group(1), seconds, events / seconds);
            System.out.printf(Locale.ROOT, "| process start to ready (JVM, Datomic, replay) | - | - | %.1f | - |%n", readySeconds);
        }
        System.exit(0);
    }

    private static PackagedService start(String databaseUrl, int port, String log) throws IOException {
        return PackagedService.start(port, log, Map.of("DATABASE_URL", databaseUrl), List.of("-Xmx6g"));
    }
}
