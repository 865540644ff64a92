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
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The read half of the benchmark: loads SKUs with several versions each, then, while a paced
 * ingestion runs, measures as-of point reads (random SKU, random past t) at a fixed offered rate
 * (latency counted from each request's intended send time, so a stall is not hidden) and history
 * reads from 32 connections as fast as they go.
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

        AtomicBoolean ingesting = new AtomicBoolean(true);
        AtomicLong ingested = new AtomicLong();
        Thread ingestion = new Thread(() -> ingest(client, base, ingestEventsPerSecond, ingesting, ingested));
        ingestion.start();
        long ingestStart = System.nanoTime();
        List<String> rows = new ArrayList<>();
        try {
            // A random SKU at a random past t: 404 (no price yet then) is an answer too.
            Load.Phase point = Load.drive(client, CONNECTIONS, phase, 1_000_000_000L * CONNECTIONS / offeredRate, () -> {
                int sku = ThreadLocalRandom.current().nextInt(SKUS);
                long t = ThreadLocalRandom.current().nextLong(roundT[0], roundT[VERSIONS - 1] + 1);
                return get(base + "/prices/" + prefix + "-" + sku + "?asOf=" + t);
            }, status -> status == 200 || status == 404);
            rows.add(row("as-of point read (offered " + offeredRate + "/s)", point));
            Load.Phase history = Load.drive(client, CONNECTIONS, phase, 0, () ->
                    get(base + "/prices/" + prefix + "-" + ThreadLocalRandom.current().nextInt(SKUS) + "/history"),
                    status -> status == 200);
            rows.add(row("history read (" + VERSIONS + " items, closed loop)", history));
        } finally {
            ingesting.set(false);
            ingestion.join();
        }
        double ingestRate = ingested.get() / ((System.nanoTime() - ingestStart) / 1e9);
        rows.add(String.format(Locale.ROOT, "| ingestion meanwhile (100-event POSTs, paced) | 1 | %,.0f events/s | - | - | - |",
                ingestRate));
        return rows;
    }

    private static String row(String name, Load.Phase phase) {
        return String.format(Locale.ROOT, "| %s | %d | %,.0f req/s | %.2f | %.2f | %d |", name, CONNECTIONS,
                phase.requestsPerSecond(), phase.p50Millis(), phase.p99Millis(), phase.failures());
    }

    private static HttpRequest get(String uri) {
        return HttpRequest.newBuilder(URI.create(uri)).build();
    }

    private static void ingest(HttpClient client, String base, int eventsPerSecond, AtomicBoolean running, AtomicLong ingested) {
        long interval = 1_000_000_000L * 100 / Math.max(1, eventsPerSecond);
        long next = System.nanoTime();
        while (running.get()) {
            StringBuilder body = new StringBuilder("[");
            for (int i = 0; i < 100; i++) {
                body.append(i == 0 ? "" : ",").append("{\"type\":\"price\",\"sku\":\"ING-")
                        .append(ThreadLocalRandom.current().nextInt(100_000)).append("\",\"amount\":1.5,\"currency\":\"EUR\"}");
            }
            try {
                HttpResponse<Void> response = client.send(HttpRequest.newBuilder(URI.create(base + "/events"))
                        .header("Authorization", PackagedService.AUTHORIZATION).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body.append(']').toString())).build(),
                        HttpResponse.BodyHandlers.discarding());
                if (response.statusCode() / 100 == 2) {
                    ingested.addAndGet(100);
                }
            } catch (Exception e) {
                // counted as not ingested
            }
            next += interval;
            long wait = next - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
        }
    }
}
