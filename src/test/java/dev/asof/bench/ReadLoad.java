package dev.asof.bench;

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
import java.util.UUID;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;

/**
 * The read half of the benchmark: loads SKUs with several versions each, then, while ingestion
 * runs on a schedule, measures as-of point reads (random SKU, random past t) at a fixed offered
 * rate, open loop ({@link OpenLoop}: latency from each request's intended send time, so a stall is
 * not hidden), and history reads from 32 connections as fast as they go (closed loop).
 */
final class ReadLoad {
    static final int SKUS = 1000;
    static final int VERSIONS = 10;
    static final int CONNECTIONS = 32;

    private ReadLoad() {
    }

    static List<String> run(HttpClient client, String base, Duration phase, int offeredRate, int ingestEventsPerSecond)
            throws Exception {
        String prefix = "R" + UUID.randomUUID().toString().substring(0, 6);
        long[] roundT = new long[VERSIONS];
        for (int round = 0; round < VERSIONS; round++) {
            StringBuilder ndjson = new StringBuilder();
            Instant at = Instant.parse("2026-01-01T00:00:00Z").plusSeconds(86_400L * round);
            for (int s = 0; s < SKUS; s++) {
                ndjson.append("{\"type\":\"price\",\"sku\":\"").append(prefix).append('-').append(s)
                        .append("\",\"amount\":").append(round).append('.').append(s % 100)
                        .append(",\"currency\":\"EUR\",\"effectiveAt\":\"").append(at).append("\"}\n");
            }
            HttpResponse<String> loaded = client.send(HttpRequest.newBuilder(URI.create(base + "/events"))
                    .header("Authorization", PackagedService.AUTHORIZATION).header("Content-Type", "application/x-ndjson")
                    .POST(HttpRequest.BodyPublishers.ofString(ndjson.toString())).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (loaded.statusCode() != 201) {
                throw new IllegalStateException("Loading failed: " + loaded.statusCode() + " " + loaded.body());
            }
            String body = loaded.body();
            roundT[round] = Long.parseLong(body.substring(body.indexOf("\"t\":") + 4, body.indexOf(',')));
        }

        // Ingestion runs through both read phases, from a generator of its own (100-event POSTs on
        // a schedule); the reads from another, so that neither waits for the other's connections.
        Map<String, String> writeHeaders = Map.of("Authorization", PackagedService.AUTHORIZATION,
                "Content-Type", "application/json");
        double posts = ingestEventsPerSecond / 100.0;
        AtomicLong ingested = new AtomicLong();
        OpenLoop.Scenario ingestion = new OpenLoop.Scenario("ingestion",
                OpenLoop.Schedule.constant(posts, phase.multipliedBy(2)),
                n -> new OpenLoop.Request(HttpMethod.POST, "/events", writeHeaders, Buffer.buffer(ingestBody())),
                answer -> {
                    if (answer.status() / 100 == 2) {
                        ingested.addAndGet(100);
                    }
                });
        List<String> rows = new ArrayList<>();
        URI uri = URI.create(base);
        try (OpenLoop writes = new OpenLoop(uri, 16); OpenLoop reads = new OpenLoop(uri, OpenLoop.MAX_CONNECTIONS)) {
            reads.warmUp();
            Thread writing = new Thread(() -> {
                try {
                    writes.run(List.of(ingestion));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "bench-ingestion");
            long ingestStart = System.nanoTime();
            writing.start();
            // A random SKU at a random past t: 404 (no price yet then) is an answer too.
            OpenLoop.Tally point = new OpenLoop.Tally(status -> status == 200 || status == 404);
            reads.run(List.of(new OpenLoop.Scenario("as-of reads", OpenLoop.Schedule.constant(offeredRate, phase), n -> {
                int sku = ThreadLocalRandom.current().nextInt(SKUS);
                long t = ThreadLocalRandom.current().nextLong(roundT[0], roundT[VERSIONS - 1] + 1);
                return OpenLoop.Request.get("/prices/" + prefix + "-" + sku + "?asOf=" + t, Map.of());
            }, point::add)));
            rows.add(row("as-of point read (offered " + offeredRate + "/s, open loop)", String.format(Locale.ROOT,
                    "up to %,d (%,d requests outstanding at most)", OpenLoop.MAX_CONNECTIONS, reads.mostOutstanding()),
                    point, phase));
            OpenLoop.Tally history = new OpenLoop.Tally(status -> status == 200);
            reads.closedLoop(CONNECTIONS, phase, n -> OpenLoop.Request.get("/prices/" + prefix + "-"
                    + ThreadLocalRandom.current().nextInt(SKUS) + "/history", Map.of()), history::add);
            rows.add(row("history read (" + VERSIONS + " items, closed loop)", Integer.toString(CONNECTIONS), history,
                    phase));
            writing.join();
            double ingestRate = ingested.get() / ((System.nanoTime() - ingestStart) / 1e9);
            rows.add(String.format(Locale.ROOT,
                    "| ingestion meanwhile (100-event POSTs, %.0f/s scheduled) | - | %,.0f events/s | - | - | - |",
                    posts, ingestRate));
        }
        return rows;
    }

    /** A row of this benchmark's table for {@code tally}'s answers over {@code phase}. */
    private static String row(String name, String connections, OpenLoop.Tally tally, Duration phase) {
        return String.format(Locale.ROOT, "| %s | %s | %,.0f req/s | %.2f | %.2f | %d |", name, connections,
                tally.answered() / (phase.toMillis() / 1000.0), OpenLoop.millis(tally.latency(), 50),
                OpenLoop.millis(tally.latency(), 99), tally.failures());
    }

    private static String ingestBody() {
        StringBuilder body = new StringBuilder("[");
        for (int i = 0; i < 100; i++) {
            body.append(i == 0 ? "" : ",").append("{\"type\":\"price\",\"sku\":\"ING-")
                    .append(ThreadLocalRandom.current().nextInt(100_000)).append("\",\"amount\":1.5,\"currency\":\"EUR\"}");
        }
        return body.append(']').toString();
    }
}
