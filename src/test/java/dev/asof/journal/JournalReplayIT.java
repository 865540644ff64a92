package dev.asof.journal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.asof.support.PackagedService;
import dev.asof.support.Postgres;
import dev.asof.support.TcpProxy;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Replay never skips an acknowledged batch: a journaled batch that Datomic refuses stops the
 * start-up with a message naming it; batches marked rejected are passed by; an instant that went
 * backwards (a clock stepped back under an older version) is clamped, and the t values stay.
 */
class JournalReplayIT {
    private static final Duration READY = Duration.ofSeconds(90);
    private final HttpClient client = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();

    @Test
    void aBatchReplayCannotApplyStopsTheStartAndNothingIsSkipped() throws Exception {
        String database = Postgres.freshDatabase();
        String url = Postgres.server().url(database);
        int port = PackagedService.freePort();
        String base = "http://127.0.0.1:" + port;
        String customerId = "replay-" + UUID.randomUUID();
        long customerT;
        long priceT;
        String after;
        long lastT;
        try (PackagedService first = start(url, port, "replay-first")) {
            first.awaitReady(READY);
            customerT = t(post(base, "{\"type\":\"customer\",\"customerId\":\"" + customerId + "\",\"name\":\"Ada\"}"));
            priceT = t(post(base, "{\"type\":\"price\",\"sku\":\"RP-1\",\"amount\":1.5,\"currency\":\"EUR\"}"));
            t(post(base, "{\"type\":\"customer\",\"customerId\":\"j-\u00e9\",\"name\":" + NAME_JSON + "}"));
            // Every kind of price event (issue 21): a period, an end for a period, an open end, a withdrawal.
            for (String event : VALID_TIME_KINDS) {
                post(base, event);
            }
            after = json.readTree(get(base, "/changes")).get("after").asText();
            lastT = json.readTree(get(base, "/changes")).get("next").asLong();
            for (String path : validTimeAnswers(lastT)) {
                kindsBefore.put(path, get(base, path));
            }
        }

        // A batch Datomic cannot apply: two versions of one customer in one transaction (written as
        // an older release wrote its rows: format 1, the events).
        long badSeq;
        try (Connection connection = Postgres.connect(database)) {
            badSeq = insert(connection, json.createArrayNode().add(customerV1(customerId, "Grace"))
                    .add(customerV1(customerId, "Ada II")).toString(), Instant.now());
        }
        PackagedService refused = start(url, port, "replay-refused");
        Path log = Path.of("target", "replay-refused.log");
        try {
            assertThat(refused.awaitExit(Duration.ofSeconds(90))).as("the start-up stops").isNotEqualTo(0);
        } finally {
            refused.kill();
        }
        assertThat(Files.readString(log)).contains("Journal batch seq=" + badSeq).contains("cannot be applied");

        // Marked rejected (as the live service marks what Datomic refuses), it is passed by; and an
        // instant that went backwards is clamped to the one before it.
        long clampedSeq;
        try (Connection connection = Postgres.connect(database)) {
            connection.createStatement().execute("UPDATE asof_journal SET rejected = 'test' WHERE seq = " + badSeq);
            clampedSeq = insert(connection, json.createArrayNode().add(priceV1("RP-2", "1.5")).toString(),
                    Instant.now().minus(Duration.ofHours(1)));
        }
        try (PackagedService second = start(url, port, "replay-second")) {
            second.awaitReady(READY);
            assertThat(get(base, "/tx/" + customerT)).contains(customerId);
            assertThat(get(base, "/tx/" + priceT)).contains("RP-1");
            // The journal restores the same line of database values: its positions stay good (issue 20) ...
            assertThat(json.readTree(get(base, "/changes?after=" + after)).has("items"))
                    .as("a position read before the restart").isTrue();
            // ... and text the rule accepts comes back byte for byte after the replay.
            assertThat(json.readTree(get(base, "/customers/j-%C3%A9")).get("name").asText()).isEqualTo(NAME);
            String clamped = get(base, "/prices/RP-2");
            assertThat(json.readTree(clamped).get("t").asLong()).isGreaterThan(priceT);
            String instantBefore = json.readTree(get(base, "/tx/" + lastT)).get("txInstant").asText();
            assertThat(json.readTree(clamped).get("txInstant").asText()).as("clamped to the instant before it")
                    .isEqualTo(instantBefore);
            assertThat(Files.readString(Path.of("target", "replay-second.log")))
                    .contains("Journal batch seq=" + clampedSeq + " is stamped");
            // Periods, ends and a withdrawal replay to the same t values and answers, byte for byte.
            assertThat(kindsBefore).hasSize(9);
            assertThat(kindsBefore.get(kindsBefore.keySet().iterator().next())).contains("\"amount\":9.99");
            for (Map.Entry<String, String> answer : kindsBefore.entrySet()) {
                assertThat(get(base, answer.getKey())).as(answer.getKey()).isEqualTo(answer.getValue());
            }
        }
    }

    /**
     * A journal written by an older release (format 1: the events of each batch) replays to the same
     * t values and answers, and its rows are rewritten as the transaction data they replayed to
     * (the current format): the next start, reading only that, answers byte for byte the same.
     */
    @Test
    void anOlderJournalReplaysToTheSameAnswersAndIsRewrittenAsTransactionData() throws Exception {
        String database = Postgres.freshDatabase();
        String url = Postgres.server().url(database);
        int port = PackagedService.freePort();
        String base = "http://127.0.0.1:" + port;
        try (PackagedService schema = start(url, port, "migrate-schema")) {
            schema.awaitReady(READY); // creates the journal's tables
        }
        String customerId = "mig-" + UUID.randomUUID();
        Instant at = Instant.now().minus(Duration.ofMinutes(10));
        try (Connection connection = Postgres.connect(database)) {
            insert(connection, json.createArrayNode().add(priceV1("MIG-1", "1.5"))
                    .add(customerV1(customerId, "Ada").put("city", "Paris")).toString(), at);
            insert(connection, json.createArrayNode().add(priceV1("MIG-1", "0.1000")).toString(), at.plusSeconds(1));
            ObjectNode cleared = customerV1(customerId, "Ada L.");
            cleared.withArray("cleared").add("city");
            insert(connection, json.createArrayNode().add(cleared).add(priceV1("MIG-2", "7")).toString(), at.plusSeconds(2));
            insert(connection, json.createArrayNode().add(customerV1(customerId, null).put("deleted", true)).toString(),
                    at.plusSeconds(3));
            insertFormat3(connection, at.plusSeconds(4));
        }
        List<String> paths = new java.util.ArrayList<>(List.of("/changes?after=0&limit=100", "/prices/MIG-1/history",
                "/customers/" + customerId + "/history", "/prices/MIG-3/history"));
        List<String> replayedFromEvents = new java.util.ArrayList<>();
        try (PackagedService older = start(url, port, "migrate-older")) {
            older.awaitReady(READY);
            for (String path : List.copyOf(paths)) {
                replayedFromEvents.add(get(base, path));
            }
            // Answers at the replayed basis (an answer about now echoes the request's clock).
            long basis = json.readTree(replayedFromEvents.get(0)).get("next").asLong();
            for (String path : List.of("/prices/MIG-1?asOf=" + basis, "/prices/MIG-2?asOf=" + basis,
                    "/prices/MIG-1?asOf=" + (basis - 2))) {
                paths.add(path);
                replayedFromEvents.add(get(base, path));
            }
        }
        assertThat(replayedFromEvents.get(4)).contains("\"amount\":0.1000");
        assertThat(replayedFromEvents.get(3)).as("the format-3 row (the release before periods)").contains("\"amount\":3.25");
        assertThat(replayedFromEvents.get(2)).contains("Paris").contains("Ada L.");
        assertThat(Postgres.queryLong(database, "SELECT count(*) FROM asof_journal WHERE format = 1"))
                .as("every row rewritten").isZero();
        assertThat(Postgres.queryLong(database, "SELECT count(*) FROM asof_journal WHERE format = " + JournalCodec.FORMAT)).isEqualTo(4);
        assertThat(Postgres.queryLong(database, "SELECT count(*) FROM asof_journal WHERE format = 3")).isEqualTo(1);

        try (PackagedService current = start(url, port, "migrate-current")) {
            current.awaitReady(READY);
            for (int i = 0; i < paths.size(); i++) {
                assertThat(get(base, paths.get(i))).as(paths.get(i)).isEqualTo(replayedFromEvents.get(i));
            }
        }
    }

    /**
     * The replay runs behind an open port: when PostgreSQL goes away half-way through it, the
     * start-up stops (non-zero exit, saying why) and the service never becomes ready with part of
     * the journal; with PostgreSQL back, the next start replays all of it.
     */
    @Test
    void theJournalGoingAwayHalfWayThroughTheReplayStopsTheStartAndNothingOpensWithPartOfIt() throws Exception {
        replayInterrupted("replay-cut", Map.of(), TcpProxy::down, TcpProxy::up,
                "Reading the journal failed");
    }

    /**
     * A PostgreSQL that stops answering (connections open, nothing passes) half-way through the
     * replay: the start-up stops once a read has waited six journal round trips, saying so, rather
     * than hang behind the open port; the next start replays all of it.
     */
    @Test
    void theJournalStallingHalfWayThroughTheReplayStopsTheStartInBoundedTime() throws Exception {
        replayInterrupted("replay-stall", Map.of("ASOF_JOURNAL_TIMEOUT", "2s"), TcpProxy::stall,
                TcpProxy::unstall, "PostgreSQL did not answer a replay read within 12 s");
    }

    /** Prices in the journal the interrupted replays read: 1,000 rows of 10, read a page at a time. */
    private static final int EVENTS = 10_000;
    /** That journal, written once by a packaged service; each test replays a copy of it. */
    private static String loaded;

    private void replayInterrupted(String name, Map<String, String> env, Consumer<TcpProxy> fault,
            Consumer<TcpProxy> heal, String said) throws Exception {
        Postgres.Server server = Postgres.server();
        String database = Postgres.copyOf(loadedJournal());
        int port = PackagedService.freePort();
        String base = "http://127.0.0.1:" + port;
        try (TcpProxy proxy = new TcpProxy(server.host(), server.port())) {
            String url = new Postgres.Server("127.0.0.1", proxy.port(), server.user()).url(database);
            Map<String, String> cutEnv = new HashMap<>(env);
            cutEnv.put("DATABASE_URL", url);
            PackagedService cut = PackagedService.start(port, name, cutEnv, List.of("-Xmx1g"));
            try {
                long deadline = System.nanoTime() + READY.toNanos();
                boolean wentDown = false;
                while (!wentDown && System.nanoTime() < deadline) {
                    HttpResponse<String> ready = readiness(base);
                    assertThat(ready == null ? 503 : ready.statusCode()).as("never ready with part of the journal")
                            .isEqualTo(503);
                    if (ready != null && ready.body().matches("(?s).*replaying the journal: [1-9][0-9,]* of "
                            + String.format("%,d", EVENTS) + " events.*")) {
                        // The port is open behind the replay: reads are refused, saying why.
                        HttpResponse<String> read = client.send(HttpRequest.newBuilder(URI.create(base + "/prices/RC-0"))
                                .build(), HttpResponse.BodyHandlers.ofString());
                        assertThat(read.statusCode()).isEqualTo(503);
                        assertThat(read.body()).contains("replaying the journal");
                        fault.accept(proxy);
                        wentDown = true;
                    }
                    Thread.sleep(10);
                }
                assertThat(wentDown).as("the replay was seen under way").isTrue();
                for (long until = System.nanoTime() + 5_000_000_000L; System.nanoTime() < until; Thread.sleep(50)) {
                    HttpResponse<String> ready = readiness(base);
                    assertThat(ready == null || ready.statusCode() == 503).as("never ready with part of the journal").isTrue();
                }
                assertThat(cut.awaitExit(Duration.ofSeconds(90))).as("the start-up stops").isNotEqualTo(0);
            } finally {
                cut.kill();
            }
            assertThat(Files.readString(Path.of("target", name + ".log"))).contains(said);

            heal.accept(proxy);
            try (PackagedService again = PackagedService.start(port, name + "-again", Map.of("DATABASE_URL", url),
                    List.of("-Xmx1g")).awaitReady(READY)) {
                assertThat(get(base, "/prices/RC-0")).contains("\"amount\":1.5");
                assertThat(get(base, "/prices/RC-" + (EVENTS - 1))).contains("\"amount\":1.5");
            }
        }
    }

    /** The journal of {@link #EVENTS} prices in batches of 10 (written on first use), to copy. */
    private static synchronized String loadedJournal() throws Exception {
        if (loaded != null) {
            return loaded;
        }
        String database = Postgres.freshDatabase();
        int port = PackagedService.freePort();
        String base = "http://127.0.0.1:" + port;
        try (PackagedService load = PackagedService.start(port, "replay-load", Map.of("DATABASE_URL",
                Postgres.server().url(database), "ASOF_QUEUE_MAX_BATCH", "10"), List.of("-Xmx1g"))) {
            load.awaitReady(READY);
            StringBuilder ndjson = new StringBuilder();
            for (int i = 0; i < EVENTS; i++) {
                ndjson.append("{\"type\":\"price\",\"sku\":\"RC-").append(i)
                        .append("\",\"amount\":1.5,\"currency\":\"EUR\"}\n");
            }
            HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(base
                    + "/events")).header("Authorization", PackagedService.AUTHORIZATION)
                    .header("Content-Type", "application/x-ndjson")
                    .POST(HttpRequest.BodyPublishers.ofString(ndjson.toString())).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
        }
        loaded = database;
        return loaded;
    }

    /** /q/health/ready, or null while the port is not open. */
    private HttpResponse<String> readiness(String base) throws Exception {
        try {
            return client.send(HttpRequest.newBuilder(URI.create(base + "/q/health/ready")).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (java.io.IOException notListening) {
            return null;
        }
    }

    private final Map<String, String> kindsBefore = new java.util.LinkedHashMap<>();

    private static final List<String> VALID_TIME_KINDS = List.of(
            "{\"type\":\"price\",\"sku\":\"RP-3\",\"amount\":12,\"currency\":\"EUR\",\"effectiveAt\":\"2026-01-01T00:00:00Z\"}",
            "{\"type\":\"price\",\"sku\":\"RP-3\",\"amount\":9.99,\"currency\":\"EUR\",\"effectiveAt\":\"2026-11-27T00:00:00Z\","
                    + "\"effectiveUntil\":\"2026-12-02T00:00:00Z\"}",
            "{\"type\":\"price\",\"sku\":\"RP-3\",\"ended\":true,\"effectiveAt\":\"2026-03-01T00:00:00Z\","
                    + "\"effectiveUntil\":\"2026-04-01T00:00:00Z\"}",
            "{\"type\":\"price\",\"sku\":\"RP-3\",\"ended\":true,\"effectiveAt\":\"2027-01-01T00:00:00Z\"}",
            "{\"type\":\"price\",\"sku\":\"RP-3\",\"amount\":99,\"currency\":\"EUR\",\"effectiveAt\":\"2062-03-01T00:00:00Z\"}",
            "{\"type\":\"price\",\"sku\":\"RP-3\",\"withdrawn\":true,\"effectiveAt\":\"2062-03-01T00:00:00Z\"}",
            // a period made open-ended at the same price (retractions by entity id, and :price/changedBy) ...
            "{\"type\":\"price\",\"sku\":\"RP-3\",\"amount\":11,\"currency\":\"EUR\",\"effectiveAt\":\"2026-06-01T00:00:00Z\","
                    + "\"effectiveUntil\":\"2026-07-01T00:00:00Z\"}",
            "{\"type\":\"price\",\"sku\":\"RP-3\",\"amount\":11,\"currency\":\"EUR\",\"effectiveAt\":\"2026-06-01T00:00:00Z\"}",
            // ... and the end for a period withdrawn
            "{\"type\":\"price\",\"sku\":\"RP-3\",\"withdrawn\":true,\"effectiveAt\":\"2026-03-01T00:00:00Z\"}");

    /**
     * Settled answers about RP-3 at {@code t}: inside the promotion, after the period made open-ended (its t is the
     * correction's), the gap before its withdrawal and after, the end, the point before the last transaction, its history.
     */
    private static List<String> validTimeAnswers(long t) {
        return List.of("/prices/RP-3?asOf=" + t + "&validAt=2026-11-30T00:00:00Z",
                "/prices/RP-3?asOf=" + t + "&validAt=2026-08-01T00:00:00Z",
                "/prices/RP-3?asOf=" + (t - 2) + "&validAt=2026-03-15T00:00:00Z",
                "/prices/RP-3?asOf=" + t + "&validAt=2026-12-02T00:00:00Z",
                "/prices/RP-3?asOf=" + t + "&validAt=2026-03-15T00:00:00Z",
                "/prices/RP-3?asOf=" + t + "&validAt=2027-06-01T00:00:00Z",
                "/prices/RP-3?asOf=" + (t - 1) + "&validAt=2062-06-01T00:00:00Z",
                "/prices/RP-3/history",
                "/tx/" + t);
    }

    /** A customer event as format 1 held it: the event with its id, content hash, type and cleared fields. */
    private ObjectNode customerV1(String customerId, String name) {
        ObjectNode event = json.createObjectNode().put("id", UUID.randomUUID().toString()).put("customerId", customerId)
                .put("name", name).put("type", "customer").put("hash", "h-" + UUID.randomUUID());
        event.putArray("cleared");
        return event;
    }

    /** A price event as format 1 held it (its valid time filled in). */
    private ObjectNode priceV1(String sku, String amount) {
        return json.createObjectNode().put("id", UUID.randomUUID().toString()).put("sku", sku)
                .put("amount", new java.math.BigDecimal(amount)).put("currency", "EUR")
                .put("effectiveAt", "2026-01-01T00:00:00Z").put("type", "price").put("hash", "h-" + UUID.randomUUID());
    }

    /**
     * Inserts a format-3 row, the transaction data of one price (MIG-3, 3.25 EUR) as the release
     * before valid periods wrote it: it replays as it is, and stays in its format.
     */
    private static void insertFormat3(Connection connection, Instant instant) throws Exception {
        UUID id = UUID.randomUUID();
        java.util.Date at = java.util.Date.from(Instant.parse("2026-01-01T00:00:00Z"));
        String version = "subject-" + id;
        String event = "event-" + id;
        List<Object> txData = List.of(
                datomic.Util.list(kw("db/add"), version, kw("price/key"), "MIG-3@001767225600000"),
                datomic.Util.list(kw("db/add"), version, kw("price/effectiveAt"), at),
                datomic.Util.list(kw("db/add"), version, kw("price/amount"), new java.math.BigDecimal("3.25")),
                datomic.Util.list(kw("db/add"), version, kw("price/currency"), "EUR"),
                datomic.Util.list(kw("db/add"), event, kw("event/effectiveAt"), at),
                datomic.Util.list(kw("db/add"), event, kw("event/id"), id),
                datomic.Util.list(kw("db/add"), event, kw("event/hash"), "h-" + id),
                datomic.Util.list(kw("db/add"), version, kw("price/sku"), "MIG-3"),
                datomic.Util.list(kw("db/add"), event, kw("event/sku"), "MIG-3"),
                Map.of(kw("db/id"), "datomic.tx", kw("db/txInstant"), java.util.Date.from(instant)));
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO asof_journal (batch_id, tx_instant,"
                + " event_count, payload, format) VALUES (?, ?, 1, ?::json, 3)")) {
            insert.setObject(1, UUID.randomUUID());
            insert.setTimestamp(2, Timestamp.from(instant));
            insert.setString(3, TxDataCodec.write(txData));
            insert.executeUpdate();
        }
    }

    private static clojure.lang.Keyword kw(String name) {
        return clojure.lang.Keyword.intern(name);
    }

    /** Inserts a format-1 row (events), as releases before format 2 wrote them (and still write during a deploy's overlap). */
    private static long insert(Connection connection, String events, Instant instant) throws Exception {
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO asof_journal (batch_id, tx_instant,"
                + " event_count, events) VALUES (?, ?, ?, ?::json) RETURNING seq")) {
            insert.setObject(1, UUID.randomUUID());
            insert.setTimestamp(2, Timestamp.from(instant));
            insert.setInt(3, events.split("\"hash\"").length - 1);
            insert.setString(4, events);
            ResultSet seq = insert.executeQuery();
            seq.next();
            return seq.getLong(1);
        }
    }

    private long t(String response) throws Exception {
        return json.readTree(response).get("t").asLong();
    }

    private String post(String base, String body) throws Exception {
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create(base + "/events"))
                .header("Authorization", PackagedService.AUTHORIZATION).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
        return response.body();
    }

    /** Text the rule accepts that a careless encoder would alter: decomposed, beyond the BMP, separators, a BOM. */
    private static final String NAME = "e\u0301 \ud83d\ude00 \u2028 \ufeff \\ \"q\" \u00a0";
    private static final String NAME_JSON = "\"e\\u0301 \\ud83d\\ude00 \\u2028 \\ufeff \\\\ \\\"q\\\" \\u00a0\"";

    private String get(String base, String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(base + path)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    private static PackagedService start(String databaseUrl, int port, String log) throws Exception {
        return PackagedService.start(port, log, Map.of("DATABASE_URL", databaseUrl), List.of("-Xmx512m"));
    }
}
