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
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * proxy: concurrent writers and readers while
 * <ul>
 * <li>the proxy delays, stalls and cuts PostgreSQL connections at random, and PostgreSQL answers
 *     appends with an error for a while (a trigger raising {@code check_violation});</li>
 * <li>slow clients hold large bodies (reserving the body budget until they are cut off with 408) and
 *     a reader walks {@code /changes} in whole pages from the start;</li>
 * <li>the service is killed (-9) and restarted, each time on a clock that differs from the run's
 *     before it: 20 s ahead of it, then behind the newest instant it recorded by more than a
 *     start-up takes (the writes wait for the clock, or are refused 503 while it is further behind
 *     than {@code ASOF_CLOCK_MAX_WAIT}), then as far behind again. (The offset moves the writer's
 *     clock, not the one Datomic reads: a writer ahead of Datomic is ClockAheadTest's, and a journal
 *     stamped ahead of the clock ClockSkewIT's.)</li>
 * <li>in one round a second process starts on the same journal (a deploy's overlap): it serves
 *     reads and refuses writes until the first one's lock connection is killed, then takes the
 *     writer role; clients send to either process throughout.</li>
 * </ul>
 * Every answer is recorded as the client saw it; after the last restart:
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
    /** The first run's clock offset; the second runs on the true clock, that much ahead of the first. */
    private static final Duration FIRST_OFFSET = Duration.ofSeconds(-20);
    /** How far the third start's clock is behind the second's, beyond the time the start takes. */
    private static final Duration BEHIND_BEYOND_START = Duration.ofSeconds(12);
    /** The round in which a second process joins on the same journal and takes the writer role. */
    private static final int OVERLAP_ROUND = 3;
    private static final long ROUND_MILLIS = 12_000;
    private static final int WRITERS = 4;
    private static final int READERS = 2;
    /** A slow client's body: it reserves this much of the body budget while it trickles. */
    private static final int SLOW_BODY_BYTES = 16 << 20;

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
    /** Answers by kind: slow bodies, /changes pages, writes the second process took, … */
    private final Map<String, AtomicInteger> seen = new ConcurrentHashMap<>();
    /** The processes clients send to now: one, or two during the overlap. */
    private volatile List<String> targets = List.of();
    /** No network fault while a process replays the journal to start or to take the writer role. */
    private final AtomicBoolean quiet = new AtomicBoolean();
    private String database;

    @Test
    void acknowledgedEventsKeepTheirTFailedOnesStayAbsentAndSettledAnswersNeverChange() throws Exception {
        long seed = Long.getLong("faults.seed", 20261126L);
        Random random = new Random(seed);
        database = Postgres.freshDatabase();
        Postgres.Server server = Postgres.server();
        int port = PackagedService.freePort();
        int secondPort = PackagedService.freePort();
        String base = "http://127.0.0.1:" + port;
        String secondBase = "http://127.0.0.1:" + secondPort;
        long started = System.nanoTime();
        int restarts = 0;
        try (TcpProxy proxy = new TcpProxy(server.host(), server.port())) {
            String url = new Postgres.Server("127.0.0.1", proxy.port(), server.user()).url(database);
            List<Duration> offsets = new ArrayList<>();
            Duration startUp = Duration.ZERO;
            for (int round = 0; round < ROUNDS; round++) {
                Duration offset = switch (round) {
                    case 0 -> FIRST_OFFSET;
                    case 1 -> Duration.ZERO;
                    case 2 -> startUp.plus(BEHIND_BEYOND_START).negated();
                    default -> offsets.get(2);
                };
                offsets.add(offset);
                if (round == OVERLAP_ROUND) {
                    quiet.set(true); // the first process's lock connection dies by the test's hand only
                }
                long starting = System.nanoTime();
                PackagedService service = start(port, "faults-" + round, url, offset);
                if (round > 0) {
                    restarts++;
                }
                service.awaitReady(READY);
                startUp = Duration.ofNanos(System.nanoTime() - starting);
                if (get(base, "/q/health/ready").body().contains("behind the newest transaction instant")) {
                    count(seen, "started on a clock behind the newest recorded instant");
                }
                if (round == 0) {
                    installRefusal();
                }
                targets = List.of(base);
                AtomicBoolean running = new AtomicBoolean(true);
                ExecutorService load = Executors.newCachedThreadPool(); // every task below runs until the round ends
                for (int w = 0; w < WRITERS; w++) {
                    long writerSeed = random.nextLong();
                    load.submit(() -> write(new Random(writerSeed), running));
                }
                for (int r = 0; r < READERS; r++) {
                    long readerSeed = random.nextLong();
                    load.submit(() -> read(new Random(readerSeed), running));
                }
                for (int r = 0; r < 2; r++) {
                    long changesSeed = random.nextLong();
                    load.submit(() -> readChanges(new Random(changesSeed), running));
                }
                load.submit(() -> sendSlowly(port, running));
                long faultSeed = random.nextLong();
                load.submit(() -> injectFaults(proxy, new Random(faultSeed), running));
                long refusalSeed = random.nextLong();
                load.submit(() -> refuseAppends(new Random(refusalSeed), running));
                PackagedService second = null;
                if (round == OVERLAP_ROUND) {
                    second = overlap(secondPort, secondBase, url, offset, base);
                }
                Thread.sleep(ROUND_MILLIS);
                if (round < ROUNDS - 1) {
                    service.kill(); // -9, mid-load
                }
                if (second != null) {
                    second.kill();
                }
                running.set(false);
                load.shutdown();
                assertThat(load.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
                Postgres.execute(database, "UPDATE faults_refuse SET refuse = false");
                proxy.up();
                proxy.delay(0);
                quiet.set(false);
                if (round == ROUNDS - 1) {
                    service.kill();
                }
                if (Files.readString(Path.of("target", "faults-" + round + ".log")).contains("waiting for the clock to reach")) {
                    count(seen, "replay waited for the clock");
                }
            }
            // The last start: a healthy network, then every promise is checked.
            Duration lastOffset = offsets.get(ROUNDS - 1);
            try (PackagedService last = start(port, "faults-check", url, lastOffset)) {
                restarts++;
                last.awaitReady(READY);
                int rechecked = recheckSettled(base);
                checkEvents(base);
                System.out.printf("TimeModelFaultIT seed=%d: %d events sent, %d acknowledged, %d failed (nothing recorded),"
                                + " %d unknown; faults %s; answers %s; %d restarts (kill -9) at clock offsets %s, one"
                                + " overlapping second process that took the writer role; %d settled answers rechecked;"
                                + " %.0f s%n", seed, bodies.size(), acked.size(), failed.size(), unknown.size(), faults, seen,
                        restarts, offsets, rechecked, (System.nanoTime() - started) / 1e9);
            }
        }
        assertThat(violations).as("broken promises").isEmpty();
        assertThat(serverErrors.get()).as("500 answers").isZero();
        assertThat(acked).as("events acknowledged").hasSizeGreaterThan(100);
        assertThat(settled).as("settled answers served").hasSizeGreaterThan(20);
        assertThat(counted(seen, "write taken by the second process")).as("the second process took writes").isPositive();
        assertThat(counted(seen, "write refused: no writer role yet")).as("the second process waited for the role")
                .isPositive();
        assertThat(counted(seen, "started on a clock behind the newest recorded instant")).as("a start behind the clock")
                .isPositive();
        assertThat(counted(faults, "postgresql error")).as("PostgreSQL error answers injected").isPositive();
        assertThat(counted(seen, "slow body cut off (408)")).as("slow bodies cut off").isPositive();
        assertThat(counted(seen, "/changes page")).as("heavy /changes pages read").isPositive();
    }

    /**
     * A second process on the same journal, started while the first one runs: it serves reads and
     * refuses writes (503) until the first one's lock connection is killed; then it takes the writer
     * role, replays the tail the first one wrote and takes writes, while the first one is fenced.
     * Clients send to either from the moment it is ready.
     */
    private PackagedService overlap(int port, String base, String url, Duration offset, String first) throws Exception {
        Thread.sleep(ROUND_MILLIS / 4);
        PackagedService second = start(port, "faults-overlap", url, offset);
        second.awaitReady(READY);
        targets = List.of(first, base);
        Thread.sleep(ROUND_MILLIS / 4);
        assertThat(Postgres.queryLong(database, "SELECT count(pg_terminate_backend(pid)) FROM pg_locks"
                + " WHERE locktype = 'advisory' AND granted AND database = (SELECT oid FROM pg_database"
                + " WHERE datname = current_database())")).as("the first process's lock connection").isEqualTo(1);
        count("lock connection killed");
        // Quiet until the second one writes: a replay cut off by the network would stop its start-up.
        for (long deadline = System.nanoTime() + READY.toNanos(); System.nanoTime() < deadline
                && counted(seen, "write taken by the second process") == 0; Thread.sleep(100)) {
            // waiting for the takeover
        }
        quiet.set(false);
        return second;
    }

    private void write(Random random, AtomicBoolean running) {
        while (running.get()) {
            List<String> to = targets;
            String base = to.get(random.nextInt(to.size()));
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
                noteOverlap(base, to, response);
            } catch (IOException | InterruptedException e) {
                ids.forEach(id -> unknown.put(id, "no answer: " + e.getClass().getSimpleName()));
                pause(50);
            }
        }
    }

    /** What the service said of each event of a request. */
    private void record(List<String> ids, HttpResponse<String> response) throws IOException {
        int status = response.statusCode();
        count(seen, "write answered " + status);
        if (response.body().contains("clock is")) {
            count(seen, "write refused: the clock is behind");
        }
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

    /** What the overlap looked like from the clients: which process took writes, which refused them and why. */
    private void noteOverlap(String base, List<String> to, HttpResponse<String> response) {
        if (to.size() < 2) {
            return;
        }
        boolean second = base.equals(to.get(1));
        if (response.statusCode() == 201 && second) {
            count(seen, "write taken by the second process");
        } else if (response.statusCode() == 503 && response.body().contains("took the journal's writer role")) {
            count(seen, "write refused by the fenced first process");
        } else if (response.statusCode() == 503 && response.body().contains("waiting for the journal's writer role")) {
            count(seen, "write refused: no writer role yet");
        }
    }

    private void read(Random random, AtomicBoolean running) {
        while (running.get()) {
            List<String> to = targets;
            String base = to.get(random.nextInt(to.size()));
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
            if (quiet.get()) {
                continue;
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

    /**
     * PostgreSQL answers every append with an error while {@code faults_refuse.refuse} is set: a
     * trigger, so that switching it costs no DDL lock against the running writer.
     */
    private void installRefusal() {
        Postgres.execute(database, "CREATE TABLE faults_refuse (refuse boolean NOT NULL);"
                + " INSERT INTO faults_refuse VALUES (false);"
                + " CREATE FUNCTION faults_refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
                + " IF (SELECT refuse FROM faults_refuse) THEN"
                + " RAISE EXCEPTION 'faults: appends refused' USING ERRCODE = 'check_violation'; END IF;"
                + " RETURN NEW; END $$;"
                + " CREATE TRIGGER faults_refuse BEFORE INSERT ON asof_journal FOR EACH ROW EXECUTE FUNCTION faults_refuse()");
    }

    /** Now and then, for a moment, PostgreSQL refuses appends with an error (nothing is written: failed, not unknown). */
    private void refuseAppends(Random random, AtomicBoolean running) {
        while (running.get()) {
            pause(1500 + random.nextInt(3000));
            if (!running.get() || quiet.get()) {
                continue;
            }
            Postgres.execute(database, "UPDATE faults_refuse SET refuse = true");
            count("postgresql error");
            pause(200 + random.nextInt(800));
            Postgres.execute(database, "UPDATE faults_refuse SET refuse = false");
        }
    }

    /**
     * Slow clients, two at a time: each announces a large NDJSON body with a valid token, sends a
     * little of it and then a byte a second. Each holds a share of the body budget until the
     * service cuts it off (408 after ASOF_LIMITS_BODY_READ_TIMEOUT); meanwhile others still write.
     */
    private void sendSlowly(int port, AtomicBoolean running) {
        ExecutorService clients = Executors.newFixedThreadPool(2);
        for (int c = 0; c < 2; c++) {
            clients.submit(() -> {
                while (running.get()) {
                    String outcome;
                    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
                        socket.setSoTimeout(1_000);
                        var out = socket.getOutputStream();
                        out.write(("POST /events HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: "
                                + PackagedService.AUTHORIZATION + "\r\nContent-Type: application/x-ndjson\r\n"
                                + "Content-Length: " + SLOW_BODY_BYTES + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                        out.write("{\"type\":\"price\",\"sku\":\"SLOW\",\"amount\":1,\"currency\":\"EUR\"}\n"
                                .repeat(64).getBytes(StandardCharsets.US_ASCII));
                        out.flush();
                        outcome = awaitStatus(socket, running);
                    } catch (IOException e) {
                        outcome = "slow body: connection " + e.getClass().getSimpleName();
                        pause(200);
                    }
                    if (outcome.matches("slow body answered 5\\d\\d") && !outcome.endsWith("503")) {
                        serverErrors.incrementAndGet();
                        violations.add(outcome);
                    }
                    count(seen, outcome);
                }
            });
        }
        clients.shutdown();
        try {
            clients.awaitTermination(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Trickles a byte a second until the service answers; what it answered. */
    private static String awaitStatus(java.net.Socket socket, AtomicBoolean running) throws IOException {
        var in = socket.getInputStream();
        byte[] head = new byte[12];
        int read = 0;
        while (running.get()) {
            try {
                int n = in.read(head, read, head.length - read);
                if (n < 0) {
                    return "slow body: closed unanswered";
                }
                read += n;
                if (read == head.length) {
                    String status = new String(head, StandardCharsets.US_ASCII).substring(9, 12);
                    return "408".equals(status) ? "slow body cut off (408)" : "slow body answered " + status;
                }
            } catch (java.net.SocketTimeoutException stillReading) {
                socket.getOutputStream().write(' ');
                socket.getOutputStream().flush();
            }
        }
        return "slow body: still open at the round's end";
    }

    /** A heavy reader: /changes from the start, a few whole pages of 1,000 transactions at a time. */
    private void readChanges(Random random, AtomicBoolean running) {
        while (running.get()) {
            List<String> to = targets;
            String base = to.get(random.nextInt(to.size()));
            long after = acked.isEmpty() || random.nextBoolean() ? 0
                    : new ArrayList<>(acked.values()).get(random.nextInt(acked.size())) - 1;
            try {
                for (int page = 0; page < 5 && running.get(); page++) {
                    HttpResponse<String> response = get(base, "/changes?after=" + after + "&limit=1000");
                    if (response.statusCode() >= 500 && response.statusCode() != 503) {
                        serverErrors.incrementAndGet();
                        violations.add("/changes answered " + response.statusCode() + ": " + response.body());
                    }
                    if (response.statusCode() != 200) {
                        break;
                    }
                    count(seen, "/changes page");
                    JsonNode next = json.readTree(response.body()).path("next");
                    if (next.isMissingNode() || next.isNull() || next.asText().equals(Long.toString(after))) {
                        break;
                    }
                    after = next.asLong();
                }
            } catch (IOException | InterruptedException e) {
                pause(50);
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
        count(faults, fault);
    }

    private static void count(Map<String, AtomicInteger> counts, String what) {
        counts.computeIfAbsent(what, f -> new AtomicInteger()).incrementAndGet();
    }

    private static int counted(Map<String, AtomicInteger> counts, String what) {
        AtomicInteger n = counts.get(what);
        return n == null ? 0 : n.get();
    }

    private static PackagedService start(int port, String log, String url, Duration offset) throws IOException {
        return PackagedService.start(port, log, Map.of(
                "DATABASE_URL", url,
                "ASOF_JOURNAL_TIMEOUT", "1s",
                "ASOF_JOURNAL_ANSWER_WITHIN", "3s",
                "ASOF_LIMITS_BODY_READ_TIMEOUT", "3s",
                "ASOF_TESTING_CLOCK_OFFSET", offset.toString()), List.of("-Xmx1g"));
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
