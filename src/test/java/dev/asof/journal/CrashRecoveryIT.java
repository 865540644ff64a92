package dev.asof.journal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asof.support.PackagedService;
import dev.asof.support.Postgres;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The packaged service against a real PostgreSQL: ingest concurrently, kill -9 it mid-load,
 * start it again, and every acknowledged event is back with its original t, and answers recorded
 * before the crash (as of a t, and /tx/{t}) are unchanged.
 */
class CrashRecoveryIT {
    private static final Pattern EVENT = Pattern.compile("\"id\":\"([0-9a-f-]{36})\",\"status\":\"created\",\"t\":(\\d+)");

    private static final Duration READY = Duration.ofSeconds(90);

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @Test
    void everyAcknowledgedEventSurvivesKillMinus9() throws Exception {
        String database = Postgres.freshDatabase();
        String url = Postgres.server().url(database);
        int port = PackagedService.freePort();
        String base = "http://127.0.0.1:" + port;

        PackagedService service = start(url, port, "crash-first");
        Map<String, String> bodies = new ConcurrentHashMap<>();
        Map<String, Long> acked = new ConcurrentHashMap<>();
        AtomicBoolean loading = new AtomicBoolean(true);
        ExecutorService clients = Executors.newFixedThreadPool(8);
        try {
            service.awaitReady(READY);
            for (int c = 0; c < 8; c++) {
                clients.submit(() -> load(base, loading, bodies, acked));
            }
            Thread.sleep(4000);
            assertThat(acked).as("events acknowledged before the crash").isNotEmpty();
        } finally {
            service.kill(); // SIGKILL, mid-load
            loading.set(false);
            clients.shutdown();
            clients.awaitTermination(10, TimeUnit.SECONDS);
        }
        Map<String, Long> before = Map.copyOf(acked);

        try (PackagedService restarted = start(url, port, "crash-second")) {
            restarted.awaitReady(READY);
            // Every acknowledged event is there with its original t: sent again, it is a duplicate.
            for (Map.Entry<String, Long> event : before.entrySet()) {
                HttpResponse<String> again = post(base, bodies.get(event.getKey()));
                assertThat(again.statusCode()).as("event %s", event.getKey()).isEqualTo(200);
                assertThat(again.body()).contains("\"t\":" + event.getValue());
            }
            System.out.printf("CrashRecoveryIT: %d acknowledged events, all back after kill -9%n", before.size());
        }
    }

    @Test
    void answersBeforeARestartAreIdenticalAfterIt() throws Exception {
        String database = Postgres.freshDatabase();
        String url = Postgres.server().url(database);
        int port = PackagedService.freePort();
        String base = "http://127.0.0.1:" + port;
        List<String> paths = new ArrayList<>();
        Map<String, String> answers = new ConcurrentHashMap<>();

        PackagedService service = start(url, port, "crash-answers-first");
        try {
            service.awaitReady(READY);
            for (int i = 0; i < 20; i++) {
                String sku = "R-" + (i % 4);
                String body = "{\"id\":\"" + UUID.randomUUID() + "\",\"type\":\"price\",\"sku\":\"" + sku
                        + "\",\"amount\":" + i + ".50,\"currency\":\"EUR\",\"effectiveAt\":\"2026-0" + (1 + i % 5) + "-01T00:00:00Z\"}";
                HttpResponse<String> created = post(base, body);
                assertThat(created.statusCode()).isEqualTo(201);
                Matcher m = EVENT.matcher(created.body());
                assertThat(m.find()).isTrue();
                String t = m.group(2);
                paths.add("/prices/" + sku + "?asOf=" + t + "&validAt=2026-04-15T00:00:00Z");
                paths.add("/prices/" + sku + "/history");
                paths.add("/tx/" + t);
            }
            paths.add("/changes?after=0&limit=1000");
            for (String path : paths) {
                answers.put(path, get(base, path));
            }
        } finally {
            service.kill();
        }
        try (PackagedService restarted = start(url, port, "crash-answers-second")) {
            restarted.awaitReady(READY);
            for (String path : paths) {
                assertThat(get(base, path)).as(path).isEqualTo(answers.get(path));
            }
        }
    }

    private void load(String base, AtomicBoolean loading, Map<String, String> bodies, Map<String, Long> acked) {
        while (loading.get()) {
            int n = ThreadLocalRandom.current().nextInt(1, 6);
            List<String> events = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                String id = UUID.randomUUID().toString();
                String body = "{\"id\":\"" + id + "\",\"type\":\"price\",\"sku\":\"C-" + ThreadLocalRandom.current().nextInt(500)
                        + "\",\"amount\":" + ThreadLocalRandom.current().nextInt(1000) + ".25,\"currency\":\"EUR\"}";
                events.add(body);
                bodies.put(id, body);
            }
            try {
                HttpResponse<String> response = post(base, "[" + String.join(",", events) + "]");
                if (response.statusCode() == 201) {
                    Matcher m = EVENT.matcher(response.body());
                    while (m.find()) {
                        acked.put(m.group(1), Long.parseLong(m.group(2)));
                    }
                }
            } catch (Exception e) {
                return; // the service is gone
            }
        }
    }

    private HttpResponse<String> post(String base, String body) throws IOException, InterruptedException {
        return client.send(HttpRequest.newBuilder(URI.create(base + "/events")).timeout(Duration.ofSeconds(10))
                .header("Authorization", PackagedService.AUTHORIZATION).header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private String get(String base, String path) throws IOException, InterruptedException {
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create(base + path)).build(),
                HttpResponse.BodyHandlers.ofString());
        return response.statusCode() + " " + response.body();
    }

    private static PackagedService start(String databaseUrl, int port, String log) throws IOException {
        return PackagedService.start(port, log, Map.of("DATABASE_URL", databaseUrl), List.of("-Xmx1g"));
    }
}
