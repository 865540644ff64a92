package dev.asof.journal;

import static dev.asof.support.Events.post;
import static dev.asof.support.Events.price;
import static dev.asof.support.Events.sku;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
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
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** The write-ahead journal against a real PostgreSQL: batches land there, one writer, and PostgreSQL trouble is a 503. */
@QuarkusTest
@TestProfile(JournalTest.WithJournal.class)
class JournalTest {

    public static class WithJournal extends OwnDatabase {
        public WithJournal() {
            super("asof-journal");
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
                        "SELECT event_count, events::text, tx_instant FROM asof_journal WHERE strpos(events::text, '" + sku + "') > 0")) {
            assertThat(row.next()).as("journal rows: " + Postgres.queryLong(JournalDatabase.database(),
                    "SELECT count(*) FROM asof_journal")).isTrue();
            assertThat(row.getInt(1)).isEqualTo(2);
            assertThat(row.getString(2)).contains((String) batch.get(0).get("id")).contains("1.2500");
            assertThat(row.getTimestamp(3).toInstant().toString()).isEqualTo(txInstant);
        }
        given().get("/q/health/ready").then().statusCode(200)
                .body("checks.find { it.name == 'datomic' }.data.journal", equalTo("ok"));
    }

    @Test
    void journalSchemaIsVersioned() {
        assertThat(Postgres.queryLong(JournalDatabase.database(), "SELECT max(version) FROM asof_schema_version"))
                .isEqualTo(2);
    }

    @Test
    void aSecondWriterCannotTakeTheJournal() throws Exception {
        try (Connection connection = Postgres.connect(JournalDatabase.database());
                ResultSet locked = connection.createStatement().executeQuery("SELECT pg_try_advisory_lock(1634955110)")) {
            locked.next();
            assertThat(locked.getBoolean(1)).as("the running service holds the writer lock").isFalse();
        }
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
                "SELECT count(*) FROM asof_journal WHERE events::text LIKE '%during-outage%'")).isZero();
    }
}
