package dev.asof.faults;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.asof.support.PackagedService;
import dev.asof.support.Postgres;
import dev.asof.support.TcpProxy;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * asof's promise under ordinary faults, against the packaged service with its journal behind a TCP
 * proxy: concurrent writers and readers while the proxy delays, stalls and cuts PostgreSQL
 * connections at random, the service is killed (-9) and restarted, and its clock is stepped back
 * once. Every answer is recorded as the client saw it; after the last restart:
 * <ul>
 * <li>every acknowledged event is present with its original t (sent again, it is a duplicate of that t);</li>
 * <li>no event answered as "failed" (nothing recorded) is present (sent again, it is created);</li>
 * <li>every answer served as settled (immutable) is byte-identical, body and ETag.</li>
 * </ul>
 * Seeded ({@code -Dfaults.seed}); bounded to a few minutes so that it runs in {@code ./mvnw verify}.
 */
class TimeModelFaultIT {
    private static final Duration READY = Duration.ofSeconds(120);
    private static final int ROUNDS = 4;
    private static final long ROUND_MILLIS = 14_000;
    private static final int WRITERS = 4;
    private static final int READERS = 2;

    private final ObjectMapper json = new ObjectMapper();
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    /** Every event sent: its body, and what the service said of it. */
    private final Map<String, String> bodies = new ConcurrentHashMap<>();
    private final Map<String, Long> acked = new ConcurrentHashMap<>();
    private final Map<String, String> failed = new ConcurrentHashMap<>();
    private final Map<String, String> unknown = new ConcurrentHashMap<>();
    /** Answers served as settled: path → status, ETag and body. */
    private final Map<String, String> settled = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<String> violations = new ConcurrentLinkedQueue<>();
    private final Map<String, AtomicInteger> faults = new ConcurrentHashMap<>();
    private final AtomicInteger serverErrors = new AtomicInteger();

    @Test
    void acknowledgedEventsKeepTheirTFailedOnesStayAbsentAndSettledAnswersNeverChange() throws Exception {
        long seed = Long.getLong("faults.seed", 20261126L);
        Random random = new Random(seed);
        String database = Postgres.freshDatabase();
        Postgres.Server server = Postgres.server();
        int port = PackagedService.freePort();
        String base = "http://127.0.0.1:" + port;
        long started = System.nanoTime();
        int restarts = 0;
        try (TcpProxy proxy = new TcpProxy(server.host(), server.port())) {
            String url = new Postgres.Server("127.0.0.1", proxy.port(), server.user()).url(database);
            for (int round = 0; round < ROUNDS; round++) {
                // The clock steps back 30 s at the third start, and stays there.
                String offset = round >= 2 ? "-PT30S" : "PT0S";
                PackagedService service = PackagedService.start(port, "faults-" + round, Map.of(
                        "DATABASE_URL", url,
                        "ASOF_JOURNAL_TIMEOUT", "1s",
                        "ASOF_JOURNAL_ANSWER_WITHIN", "3s",
                        "ASOF_TESTING_CLOCK_OFFSET", offset), List.of("-Xmx1g"));
                if (round > 0) {
                    restarts++;
                }
                service.awaitReady(READY);
                AtomicBoolean running = new AtomicBoolean(true);
                ExecutorService load = Executors.newFixedThreadPool(WRITERS + READERS + 1);
                for (int w = 0; w < WRITERS; w++) {
                    long writerSeed = random.nextLong();
                    load.submit(() -> write(base, new Random(writerSeed), running));
                }
                for (int r = 0; r < READERS; r++) {
                    long readerSeed = random.nextLong();
                    load.submit(() -> read(base, new Random(readerSeed), running));
                }
                long faultSeed = random.nextLong();
                load.submit(() -> injectFaults(proxy, new Random(faultSeed), running));
                Thread.sleep(ROUND_MILLIS);
                if (round < ROUNDS - 1) {
                    service.kill(); // -9, mid-load
                }
                running.set(false);
                load.shutdown();
                assertThat(load.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
                proxy.up();
                proxy.delay(0);
                if (round == ROUNDS - 1) {
                    service.kill();
                }
            }
            // The last start: a healthy network, then every promise is checked.
            try (PackagedService last = PackagedService.start(port, "faults-check", Map.of("DATABASE_URL", url,
                    "ASOF_TESTING_CLOCK_OFFSET", "-PT30S"), List.of("-Xmx1g"))) {
                restarts++;
                last.awaitReady(READY);
                int rechecked = recheckSettled(base);
                checkEvents(base);
                System.out.printf("TimeModelFaultIT seed=%d: %d events sent, %d acknowledged, %d failed (nothing recorded),"
                                + " %d unknown; faults %s; %d restarts (kill -9, one clock step back of 30 s);"
                                + " %d settled answers rechecked; %.0f s%n", seed, bodies.size(), acked.size(), failed.size(),
                        unknown.size(), faults, restarts, rechecked, (System.nanoTime() - started) / 1e9);
            }
        }
        assertThat(violations).as("broken promises").isEmpty();
        assertThat(serverErrors.get()).as("500 answers").isZero();
        assertThat(acked).as("events acknowledged").hasSizeGreaterThan(100);
        assertThat(settled).as("settled answers served").hasSizeGreaterThan(20);
    }

    private void write(String base, Random random, AtomicBoolean running) {
        while (running.get()) {
            int n = 1 + random.nextInt(4);
            List<String> ids = new ArrayList<>();
            List<String> events = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                String id = UUID.randomUUID().toString();
                String body = random.nextInt(5) == 0
                        ? "{\"id\":\"" + id + "\",\"type\":\"customer\",\"customerId\":\"c-" + random.nextInt(20)
                                + "\",\"tier\":\"" + List.of("bronze", "silver", "gold").get(random.nextInt(3)) + "\"}"
                        : "{\"id\":\"" + id + "\",\"type\":\"price\",\"sku\":\"F-" + random.nextInt(12) + "\",\"amount\":"
                                + random.nextInt(1000) + "." + random.nextInt(10) + ",\"currency\":\"EUR\""
                                + (random.nextBoolean() ? ",\"effectiveAt\":\"2026-0" + (1 + random.nextInt(9)) + "-01T00:00:00Z\"" : "")
                                + "}";
                ids.add(id);
                events.add(body);
                bodies.put(id, body);
            }
            try {
                HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create(base + "/events"))
                        .timeout(Duration.ofSeconds(15)).header("Authorization", PackagedService.AUTHORIZATION)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("[" + String.join(",", events) + "]")).build(),
                        HttpResponse.BodyHandlers.ofString());
                record(ids, response);
            } catch (IOException | InterruptedException e) {
                ids.forEach(id -> unknown.put(id, "no answer: " + e.getClass().getSimpleName()));
                pause(50);
            }
        }
    }

    /** What the service said of each event of a request. */
    private void record(List<String> ids, HttpResponse<String> response) throws IOException {
        int status = response.statusCode();
        if (status >= 500 && status != 503) {
            serverErrors.incrementAndGet();
            violations.add("answered " + status + ": " + response.body());
            return;
        }
        JsonNode body = response.body().isEmpty() ? json.createObjectNode() : json.readTree(response.body());
        JsonNode outcomes = body.path("events");
        if (!outcomes.isArray() || outcomes.isEmpty()) {
            // Refused before it was queued (429, 503 not ready or shutting down): nothing was recorded.
            ids.forEach(id -> failed.put(id, status + " " + body.path("detail").asText()));
            return;
        }
        for (JsonNode outcome : outcomes) {
            String id = outcome.path("id").asText();
            switch (outcome.path("status").asText()) {
                case "created", "duplicate" -> acked.put(id, outcome.path("t").asLong());
                case "failed" -> failed.put(id, outcome.path("reason").asText());
                default -> unknown.put(id, outcome.path("reason").asText());
            }
        }
    }

    private void read(String base, Random random, AtomicBoolean running) {
        while (running.get()) {
            String sku = "F-" + random.nextInt(12);
            String asOf;
            if (random.nextBoolean() && !acked.isEmpty()) {
                List<Long> ts = new ArrayList<>(acked.values());
                asOf = Long.toString(ts.get(random.nextInt(ts.size())));
            } else {
                asOf = Instant.now().minusMillis(random.nextInt(8000)).toString();
            }
            String path = "/prices/" + sku + "?asOf=" + asOf
                    + (random.nextBoolean() ? "" : "&validAt=2026-0" + (1 + random.nextInt(9)) + "-15T00:00:00Z");
            try {
                HttpResponse<String> response = get(base, path);
                String cache = response.headers().firstValue("Cache-Control").orElse("");
                if (response.statusCode() == 200 && cache.contains("immutable")) {
                    String answer = describe(response);
                    String before = settled.putIfAbsent(path, answer);
                    if (before != null && !before.equals(answer)) {
                        violations.add("settled answer changed while running: " + path + "\n was " + before + "\n now " + answer);
                    }
                }
            } catch (IOException | InterruptedException e) {
                pause(50);
            }
        }
    }

    private void injectFaults(TcpProxy proxy, Random random, AtomicBoolean running) {
        while (running.get()) {
            pause(300 + random.nextInt(1500));
            if (!running.get()) {
                return;
            }
            switch (random.nextInt(4)) {
                case 0 -> {
                    proxy.delay(50 + random.nextInt(400));
                    count("delay");
                    pause(500 + random.nextInt(2000));
                    proxy.delay(0);
                }
                case 1 -> {
                    proxy.stall();
                    count("stall");
                    pause(300 + random.nextInt(2500));
                    proxy.unstall();
                }
                case 2 -> {
                    proxy.stall();
                    count("stall-then-cut");
                    pause(300 + random.nextInt(1500));
                    proxy.down();
                    pause(random.nextInt(1500));
                    proxy.up();
                }
                default -> {
                    proxy.down();
                    count("cut");
                    pause(random.nextInt(2000));
                    proxy.up();
                }
            }
        }
    }

    private int recheckSettled(String base) throws Exception {
        int rechecked = 0;
        for (Map.Entry<String, String> answer : settled.entrySet()) {
            String now = describe(get(base, answer.getKey()));
            if (!now.equals(answer.getValue())) {
                violations.add("settled answer changed across restarts: " + answer.getKey() + "\n was " + answer.getValue()
                        + "\n now " + now);
            }
            rechecked++;
        }
        return rechecked;
    }

    /** Sends every acknowledged and every failed event again, in requests of 500. */
    private void checkEvents(String base) throws Exception {
        List<String> ids = new ArrayList<>(acked.keySet());
        failed.keySet().stream().filter(id -> !acked.containsKey(id)).forEach(ids::add);
        for (int from = 0; from < ids.size(); from += 500) {
            List<String> chunk = ids.subList(from, Math.min(ids.size(), from + 500));
            List<String> events = chunk.stream().map(bodies::get).toList();
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create(base + "/events"))
                    .timeout(Duration.ofSeconds(60)).header("Authorization", PackagedService.AUTHORIZATION)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("[" + String.join(",", events) + "]")).build(),
                    HttpResponse.BodyHandlers.ofString());
            JsonNode outcomes = json.readTree(response.body()).path("events");
            assertThat(outcomes.size()).as(response.body()).isEqualTo(chunk.size());
            Map<String, JsonNode> byId = new HashMap<>();
            outcomes.forEach(o -> byId.put(o.path("id").asText(), o));
            for (String id : chunk) {
                JsonNode outcome = byId.get(id);
                String status = outcome.path("status").asText();
                if (acked.containsKey(id)) {
                    if (!"duplicate".equals(status) || outcome.path("t").asLong() != acked.get(id)) {
                        violations.add("acknowledged event " + id + " at t=" + acked.get(id) + " came back as " + outcome);
                    }
                } else if (!"created".equals(status)) {
                    violations.add("event " + id + " answered as not recorded (" + failed.get(id) + ") is present: " + outcome);
                }
            }
        }
    }

    private HttpResponse<String> get(String base, String path) throws IOException, InterruptedException {
        return client.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String describe(HttpResponse<String> response) {
        return response.statusCode() + " " + response.headers().firstValue("ETag").orElse("-") + " " + response.body();
    }

    private void count(String fault) {
        faults.computeIfAbsent(fault, f -> new AtomicInteger()).incrementAndGet();
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
