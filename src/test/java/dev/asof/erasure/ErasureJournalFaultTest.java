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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * An erasure while the journal fails (issue 24; the faults of the standards): PostgreSQL answering
 * an error erases nothing, and the request can be repeated; PostgreSQL stalling in the middle of
 * the erasure's transaction leaves its outcome unknown, and asof repeats it under the same batch id
 * until the journal answers, as it does a batch of events: the erasure lands once, and the service
 * takes writes again without a restart.
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
    void anErasureStalledMidTransactionIsRepeatedUntilDecidedAndLandsOnceWithoutStoppingWrites() throws Exception {
        String id = "stalled-" + UUID.randomUUID();
        String name = "Stella " + UUID.randomUUID();
        post(customer(id, name));
        String reason = "ticket " + UUID.randomUUID();
        // Reads pass, writes wait: the erasure's transaction reads the rows, then its first rewrite
        // waits past the journal's timeout (6 s for a statement of an erasure), past answer-within (4 s).
        CompletableFuture<Void> lock = JournalDatabase.lockFor(11_000);
        Response erased = erase(id, reason);
        lock.get();
        erased.then().statusCode(201).body("reason", equalTo(reason));
        given().get("/customers/" + id).then().statusCode(410);
        assertThat(JournalDatabase.rows("payload::text LIKE '%" + reason + "%'")).as("the erasure, journaled once").isEqualTo(1);
        assertThat(JournalDatabase.rows("payload::text LIKE '%" + name + "%'")).isZero();

        // Decided, the service writes again: no restart needed.
        String next = "after-" + UUID.randomUUID();
        post(customer(next, "Nora Next"));
        given().get("/customers/" + next).then().statusCode(200).body("name", equalTo("Nora Next"));
        erase(id, reason).then().statusCode(200).body("reason", equalTo(reason));
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
