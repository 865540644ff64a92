package dev.asof.journal;

import static dev.asof.support.Events.post;
import static dev.asof.support.Events.price;
import static dev.asof.support.Events.sku;
import static dev.asof.support.Events.customer;
import static dev.asof.support.Events.with;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.containsString;

import dev.asof.support.JournalDatabase;
import dev.asof.support.OwnDatabase;
import dev.asof.support.Postgres;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import clojure.lang.Symbol;
import datomic.Util;
import dev.asof.datomic.Attr;
import dev.asof.datomic.DatomicStore;
import jakarta.inject.Inject;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** The write-ahead journal against a real PostgreSQL: batches land there, one writer, and PostgreSQL trouble is a 503. */
@QuarkusTest
@TestProfile(JournalTest.WithJournal.class)
class JournalTest {
    @Inject
    DatomicStore store;

    @Inject
    dev.asof.ingest.TransactWorker worker;

    @Inject
    dev.asof.ingest.IngestQueue queue;

    public static class WithJournal extends OwnDatabase {
        public WithJournal() {
            super("asof-journal", "asof.journal.timeout", "1s", "asof.journal.answer-within", "4s");
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(JournalDatabase.class));
        }
    }

    @Test
    void acknowledgedBatchIsInTheJournalWithItsEventsAndInstant() throws Exception {
        String sku = sku("journal");
        List<Map<String, Object>> batch = List.of(price(sku, new BigDecimal("1.2500"), "EUR"), price(sku + "-2", 2, "USD"));
        String txInstant = post(batch).statusCode(201).extract().jsonPath().getString("txInstant");
        try (Connection connection = Postgres.connect(JournalDatabase.database());
                ResultSet row = connection.createStatement().executeQuery(
                        "SELECT event_count, payload::text, tx_instant, format FROM asof_journal WHERE strpos(payload::text, '" + sku + "') > 0")) {
            assertThat(row.next()).as("journal rows: " + Postgres.queryLong(JournalDatabase.database(),
                    "SELECT count(*) FROM asof_journal")).isTrue();
            assertThat(row.getInt(1)).isEqualTo(2);
            assertThat(row.getString(2)).contains((String) batch.get(0).get("id")).contains("1.2500");
            assertThat(row.getTimestamp(3).toInstant().toString()).isEqualTo(txInstant);
            assertThat(row.getInt(4)).as("the transaction data, in the current format").isEqualTo(JournalCodec.FORMAT);
        }
        given().get("/q/health/ready").then().statusCode(200)
                .body("checks.find { it.name == 'datomic' }.data.journal", equalTo("ok"));
    }

    @Test
    void appendSlowerThanItsTimeoutIsResolvedAndAcknowledgedNotReportedFailed() throws Exception {
        Map<String, Object> phantom = price(sku("PHANTOM"), 1, "EUR");
        CompletableFuture<Void> lock = JournalDatabase.lockFor(2500);
        long t = post(phantom).statusCode(201).extract().jsonPath().getLong("t");
        lock.get();
        Map<String, Object> next = price(sku("after-phantom"), 2, "EUR");
        assertThat(post(next).statusCode(201).extract().jsonPath().getLong("t")).isGreaterThan(t);
        given().get("/prices/{sku}", phantom.get("sku")).then().statusCode(200).body("t", equalTo((int) t));
        assertThat(JournalDatabase.rows("rejected IS NULL AND payload::text LIKE '%" + phantom.get("id") + "%'"))
                .as("the batch is journaled once").isEqualTo(1);
    }

    @Test
    void appendOutcomeUnknownForLongIsSaidSoAndTheEventKeepsOneT() throws Exception {
        Map<String, Object> event = price(sku("UNKNOWN"), 1, "EUR");
        CompletableFuture<Void> lock = JournalDatabase.lockFor(6500);
        var answer = post(event).statusCode(503).contentType("application/problem+json")
                .body("detail", containsString("unknown"))
                .body("events[0].status", equalTo("unknown"))
                .extract();
        assertThat(answer.header("Retry-After")).isNotNull();
        lock.get();
        // Resolved once PostgreSQL answers: the batch is journaled once and committed.
        Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                given().get("/prices/{sku}", event.get("sku")).then().statusCode(200));
        long t = given().get("/prices/{sku}", event.get("sku")).then().extract().jsonPath().getLong("t");
        post(event).statusCode(200).body("events[0].status", equalTo("duplicate")).body("t", equalTo((int) t));
        assertThat(JournalDatabase.rows("rejected IS NULL AND payload::text LIKE '%" + event.get("id") + "%'")).isEqualTo(1);
    }

    /**
     * A request the writer took but holds for its next transaction (here: a correction of the version
     * the stuck batch writes) is answered once the stuck batch passes answer-within: failed, nothing
     * of it was appended; it does not wait for PostgreSQL.
     */
    @Test
    void aRequestHeldBehindABatchStuckOnTheJournalIsAnsweredFailedNotLeftWaiting() throws Exception {
        String sku = sku("CARRIED");
        Map<String, Object> stuck = with(price(sku, 1, "EUR"), "effectiveAt", "2020-01-01T00:00:00Z");
        Map<String, Object> carried = with(price(sku, 2, "EUR"), "effectiveAt", "2020-01-01T00:00:00Z");
        CompletableFuture<io.restassured.response.Response> stuckAnswer;
        CompletableFuture<io.restassured.response.Response> carriedAnswer;
        CompletableFuture<Void> lock;
        int before = queue.depth();
        dev.asof.support.Worker.hold(worker);
        try {
            stuckAnswer = CompletableFuture.supplyAsync(() -> given().contentType("application/json").body(stuck).post("/events"));
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> queue.depth() == before + 1);
            carriedAnswer = CompletableFuture.supplyAsync(() -> given().contentType("application/json").body(carried).post("/events"));
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> queue.depth() == before + 2);
            lock = JournalDatabase.lockFor(15_000);
        } finally {
            worker.resume();
        }
        // answer-within is 4 s here; the lock holds for 15.
        io.restassured.response.Response held = carriedAnswer.get(12, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(held.statusCode()).as(held.asString()).isEqualTo(503);
        assertThat(held.jsonPath().getString("events[0].status")).isEqualTo("failed");
        assertThat(held.getHeader("Retry-After")).isNotNull();
        assertThat(stuckAnswer.get(12, java.util.concurrent.TimeUnit.SECONDS).jsonPath().getString("events[0].status"))
                .isEqualTo("unknown");
        lock.get();
        Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                given().get("/prices/{sku}?validAt=2020-06-01T00:00:00Z", sku).then().statusCode(200).body("amount", equalTo(1)));
        post(carried).statusCode(201).body("events[0].status", equalTo("created"));
    }

    @Test
    void appendCutOffMidFlightIsRepeatedUnderItsIdAndRecordedOnce() throws Exception {
        Map<String, Object> event = price(sku("CUT"), 1, "EUR");
        JournalDatabase.proxy().stall();
        CompletableFuture<io.restassured.response.Response> answer = CompletableFuture.supplyAsync(() ->
                given().contentType("application/json").body(event).post("/events"));
        try {
            Thread.sleep(1800); // past the append's timeout: its outcome is unknown
        } finally {
            JournalDatabase.proxy().down(); // every connection cut, what was stalled is dropped
            JournalDatabase.proxy().up();
        }
        io.restassured.response.Response response = answer.get();
        assertThat(response.statusCode()).as(response.asString()).isEqualTo(201);
        long t = response.jsonPath().getLong("t");
        given().get("/prices/{sku}", event.get("sku")).then().statusCode(200).body("t", equalTo((int) t));
        assertThat(JournalDatabase.rows("rejected IS NULL AND payload::text LIKE '%" + event.get("id") + "%'")).isEqualTo(1);
        post(event).statusCode(200).body("t", equalTo((int) t));
    }

    @Test
    void batchDatomicRejectsIsMarkedSoReplayPassesItBy() throws Exception {
        Object pred = Util.map(Attr.DB_ID, Attr.CUSTOMER_CITY, Attr.kw("db.attr/preds"), Symbol.intern("clojure.string/blank?"));
        store.connection().transact(List.of(pred)).get();
        Map<String, Object> rejected = with(customer("atl-" + UUID.randomUUID()), "city", "Atlantis");
        try {
            post(rejected).statusCode(422).body("events[0].status", equalTo("failed"));
        } finally {
            store.connection().transact(List.of(Util.list(Attr.DB_RETRACT, Attr.CUSTOMER_CITY,
                    Attr.kw("db.attr/preds"), Symbol.intern("clojure.string/blank?")))).get();
        }
        assertThat(JournalDatabase.rows("rejected IS NOT NULL AND payload::text LIKE '%" + rejected.get("id") + "%'")).isEqualTo(1);
        assertThat(JournalDatabase.rows("rejected IS NULL AND payload::text LIKE '%" + rejected.get("id") + "%'")).isZero();
    }

    @Test
    void anInstantIsNotSettledWhileABatchThatMayLandBeforeItIsInFlight() throws Exception {
        String sku = sku("SET");
        post(price(sku, 1, "EUR")).statusCode(201);
        CompletableFuture<Void> lock = JournalDatabase.lockFor(3500);
        java.time.Instant sent = java.time.Instant.now();
        CompletableFuture<io.restassured.response.Response> second = CompletableFuture.supplyAsync(() ->
                given().contentType("application/json").body(price(sku, 2, "EUR")).post("/events"));
        String asOf = sent.plusMillis(500).toString();
        Thread.sleep(2700); // more than any wall-clock margin after asOf, while the batch is still in flight
        var during = given().queryParam("asOf", asOf).get("/prices/{sku}", sku);
        during.then().statusCode(200);
        assertThat(during.header("Cache-Control")).as("answered while a batch stamped before asOf may land")
                .satisfiesAnyOf(h -> assertThat(h).isNull(), h -> assertThat(h).doesNotContain("immutable"));
        assertThat(second.get().statusCode()).isEqualTo(201);
        lock.get();
        // Settled once the writer's floor past asOf is promised in PostgreSQL (every half second).
        Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> given().queryParam("asOf", asOf)
                .get("/prices/{sku}", sku).then().header("Cache-Control", containsString("immutable")));
        var after = given().queryParam("asOf", asOf).get("/prices/{sku}", sku);
        after.then().statusCode(200).body("amount", equalTo(2)).header("Cache-Control", containsString("immutable"));
        // Settled now: the same bytes and tag every time.
        var again = given().queryParam("asOf", asOf).get("/prices/{sku}", sku);
        assertThat(again.asString()).isEqualTo(after.asString());
        assertThat(again.header("ETag")).isEqualTo(after.header("ETag"));
    }

    @Test
    void aPostgresErrorAnswerFailsTheEventsAtOnceAndNothingIsRecorded() {
        Map<String, Object> event = price(sku("PGERR"), 1, "EUR");
        String database = JournalDatabase.database();
        Postgres.execute(database, "ALTER TABLE asof_journal ADD CONSTRAINT refuse_every_append CHECK (event_count < 0) NOT VALID");
        try {
            // PostgreSQL answered an error: nothing was written, so the outcome is known (failed), not
            // unknown (which would only be said after ASOF_JOURNAL_ANSWER_WITHIN, and resolved later).
            post(event).statusCode(503).contentType("application/problem+json")
                    .header("Retry-After", notNullValue())
                    .body("events[0].status", equalTo("failed"))
                    .body("detail", not(containsString("unknown")));
        } finally {
            Postgres.execute(database, "ALTER TABLE asof_journal DROP CONSTRAINT refuse_every_append");
        }
        assertThat(JournalDatabase.rows("payload::text LIKE '%" + event.get("id") + "%'")).isZero();
        post(event).statusCode(201).body("events[0].status", equalTo("created"));
        assertThat(JournalDatabase.rows("payload::text LIKE '%" + event.get("id") + "%'")).isEqualTo(1);
    }

    @Test
    void journalSchemaIsVersioned() {
        assertThat(Postgres.queryLong(JournalDatabase.database(), "SELECT max(version) FROM asof_schema_version"))
                .isEqualTo(5);
    }

    @Test
    void theRunningServiceHoldsTheWriterRole() {
        // Epoch 1: this service took the role at start and nobody took it since (a lost lock
        // connection, as in the outage test, does not give it up: only another process taking it does).
        assertThat(Postgres.queryLong(JournalDatabase.database(), "SELECT epoch FROM asof_writer")).isEqualTo(1);
        post(price(sku("role"), 1, "EUR")).statusCode(201);
    }

    @Test
    void postgresAwayMeans503AndNothingAcknowledgedIsLost() {
        List<Map<String, Object>> before = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Map<String, Object> event = price(sku("before-outage"), i, "EUR");
            before.add(event);
            post(event).statusCode(201);
        }
        JournalDatabase.proxy().down();
        try {
            Map<String, Object> during = price(sku("during-outage"), 9, "EUR");
            post(during).statusCode(503)
                    .contentType("application/problem+json")
                    .header("Retry-After", equalTo("1"))
                    .body("detail", not(containsString("postgres://")));
            given().get("/q/health/ready").then().statusCode(503);
            given().get("/prices/{sku}", during.get("sku")).then().statusCode(404);
        } finally {
            JournalDatabase.proxy().up();
        }
        Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                given().get("/q/health/ready").then().statusCode(200));
        Map<String, Object> after = price(sku("after-outage"), 7, "EUR");
        post(after).statusCode(201);
        for (Map<String, Object> event : before) {
            given().get("/prices/{sku}", event.get("sku")).then().statusCode(200).body("amount", equalTo(event.get("amount")));
        }
        assertThat(Postgres.queryLong(JournalDatabase.database(),
                "SELECT count(*) FROM asof_journal WHERE payload::text LIKE '%during-outage%'")).isZero();
    }
}
