package dev.asof.erasure;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;

import dev.asof.support.JournalDatabase;
import dev.asof.support.OwnDatabase;
import dev.asof.support.Postgres;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import java.sql.Connection;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * An erasure while the journal fails (issue 24; the faults of the standards): PostgreSQL answering
 * an error, or stalling before the erasure's commit, erases nothing, and the request can be
 * repeated; a commit without an answer leaves the outcome unknown, and asof repeats the erasure
 * under the same batch id until it is decided, as it does a batch of events: it lands once. The
 * service takes writes throughout, without a restart.
 */
@QuarkusTest
@TestProfile(ErasureJournalFaultTest.WithJournal.class)
class ErasureJournalFaultTest {
    static final String WRITE = "Bearer write-token";
    static final String ERASE = "Bearer erase-token";

    public static class WithJournal extends OwnDatabase {
        public WithJournal() {
            super("asof-erasure-faults", "asof.write-tokens", "write-token", "asof.erase-tokens", "dpo:erase-token",
                    "asof.journal.timeout", "1s", "asof.journal.answer-within", "4s");
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(JournalDatabase.class));
        }
    }

    @Test
    void aPostgresErrorAnswerErasesNothingAndTheRequestCanBeRepeated() {
        String id = "refused-" + UUID.randomUUID();
        String name = "Renata " + UUID.randomUUID();
        post(customer(id, name));
        String database = JournalDatabase.database();
        Postgres.execute(database, "ALTER TABLE asof_journal ADD CONSTRAINT refuse_every_append CHECK (event_count < 0) NOT VALID");
        try {
            erase(id, "ticket refused").then().statusCode(503).contentType("application/problem+json")
                    .header("Retry-After", notNullValue()).body("detail", containsString("nothing was erased"));
        } finally {
            Postgres.execute(database, "ALTER TABLE asof_journal DROP CONSTRAINT refuse_every_append");
        }
        given().get("/customers/" + id).then().statusCode(200).body("name", equalTo(name));
        assertThat(JournalDatabase.rows("payload::text LIKE '%" + name + "%'")).as("the journal's rows as they were").isEqualTo(1);

        erase(id, "ticket refused").then().statusCode(201);
        given().get("/customers/" + id).then().statusCode(410);
        assertThat(JournalDatabase.rows("payload::text LIKE '%" + name + "%'")).isZero();
    }

    @Test
    void anErasureStalledBeforeItsCommitErasesNothingAndTheServiceKeepsWriting() throws Exception {
        String id = "stalled-" + UUID.randomUUID();
        String name = "Stella " + UUID.randomUUID();
        post(customer(id, name));
        // Reads pass, writes wait: the erasure's transaction reads the rows, then its first rewrite waits
        // past the journal's timeout (6 s for a statement of an erasure). Its commit was never asked for.
        long started = System.nanoTime();
        Response refused;
        try (Connection lock = JournalDatabase.lock()) {
            refused = erase(id, "ticket stalled");
        }
        assertThat(Duration.ofNanos(System.nanoTime() - started)).as("answered once a statement waited 6 s")
                .isGreaterThanOrEqualTo(Duration.ofSeconds(6));
        refused.then().statusCode(503).contentType("application/problem+json").header("Retry-After", notNullValue())
                .body("detail", containsString("nothing was erased"));
        given().get("/customers/" + id).then().statusCode(200).body("name", equalTo(name));
        assertThat(JournalDatabase.rows("payload::text LIKE '%" + name + "%'")).isEqualTo(1);

        writesGoOn();
        erase(id, "ticket stalled").then().statusCode(201);
        assertThat(JournalDatabase.rows("payload::text LIKE '%" + name + "%'")).isZero();
    }

    @Test
    void anErasureWhoseCommitHasNoAnswerIsRepeatedUnderItsIdAndLandsOnce() throws Exception {
        String id = "commit-" + UUID.randomUUID();
        String name = "Connie " + UUID.randomUUID();
        post(customer(id, name));
        String reason = "ticket " + UUID.randomUUID();
        String database = JournalDatabase.database();
        // The commit itself takes 9 s (a deferred trigger: where a synchronous standby that does not
        // answer would keep it), past the erasure's 6 s: its outcome is unknown, and it lands while the
        // repeat waits on its locks (well within the repeat's own 6 s).
        Postgres.execute(database, "CREATE TABLE stalled_commits (at timestamptz)");
        Postgres.execute(database, "CREATE FUNCTION stall_commit() RETURNS trigger LANGUAGE plpgsql AS"
                + " $$ BEGIN INSERT INTO stalled_commits VALUES (now()); PERFORM pg_sleep(9); RETURN NULL; END $$");
        Postgres.execute(database, "CREATE CONSTRAINT TRIGGER stall_commit AFTER INSERT ON asof_journal"
                + " DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION stall_commit()");
        // Which transactions committed an append of the erasure (a statement trigger fires even when
        // ON CONFLICT DO NOTHING inserts nothing): the stalled first attempt, and the repeat after it.
        Postgres.execute(database, "CREATE TABLE appends (tx bigint)");
        Postgres.execute(database, "CREATE FUNCTION log_append() RETURNS trigger LANGUAGE plpgsql AS"
                + " $$ BEGIN INSERT INTO appends VALUES (txid_current()); RETURN NULL; END $$");
        Postgres.execute(database, "CREATE TRIGGER log_append AFTER INSERT ON asof_journal FOR EACH STATEMENT"
                + " EXECUTE FUNCTION log_append()");
        long started = System.nanoTime();
        Response erased;
        try {
            erased = erase(id, reason);
        } finally {
            Postgres.execute(database, "DROP TRIGGER stall_commit ON asof_journal");
            Postgres.execute(database, "DROP TRIGGER log_append ON asof_journal");
        }
        erased.then().statusCode(201).body("reason", equalTo(reason));
        assertThat(Duration.ofNanos(System.nanoTime() - started)).as("answered once the stalled commit landed")
                .isGreaterThanOrEqualTo(Duration.ofSeconds(9));
        assertThat(Postgres.queryLong(database, "SELECT count(*) FROM stalled_commits")).as("one attempt appended").isEqualTo(1);
        assertThat(Postgres.queryLong(database, "SELECT count(DISTINCT tx) FROM appends"))
                .as("the stalled attempt, and a repeat that committed after it").isEqualTo(2);
        assertThat(JournalDatabase.rows("payload::text LIKE '%" + reason + "%'")).as("the erasure, journaled once").isEqualTo(1);
        assertThat(JournalDatabase.rows("payload::text LIKE '%" + name + "%'")).isZero();
        given().get("/customers/" + id).then().statusCode(410);

        writesGoOn();
        erase(id, reason).then().statusCode(200).body("reason", equalTo(reason));
    }

    /** A new customer is recorded and reads back: the service writes, no restart needed. */
    private static void writesGoOn() {
        String next = "after-" + UUID.randomUUID();
        post(customer(next, "Nora Next"));
        given().get("/customers/" + next).then().statusCode(200).body("name", equalTo("Nora Next"));
    }

    private static Response erase(String id, String reason) {
        return given().header("Authorization", ERASE).contentType(ContentType.JSON)
                .body(Map.of("reason", reason)).post("/customers/" + id + "/erasure");
    }

    private static void post(Map<String, Object> event) {
        given().header("Authorization", WRITE).contentType(ContentType.JSON).body(List.of(event)).post("/events")
                .then().statusCode(201);
    }

    private static Map<String, Object> customer(String id, String name) {
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("id", UUID.randomUUID().toString());
        event.put("type", "customer");
        event.put("customerId", id);
        event.put("name", name);
        return event;
    }
}
