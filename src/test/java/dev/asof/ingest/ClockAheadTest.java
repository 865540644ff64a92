package dev.asof.ingest;

import static dev.asof.support.Events.post;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.asof.datomic.DatomicStore;
import dev.asof.support.OwnDatabase;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A stamp ahead of Datomic's clock (the clock stepped back between the stamp and the transaction;
 * here the writer's clock runs 3 s ahead of the one Datomic reads) is an availability matter, never
 * a rejection of the data: Datomic refuses it as {@code :db.error/future-tx-instant}, and the writer
 * sends the same transaction again until Datomic's clock gets there. The request is answered 201 at
 * the instant it was stamped, not 422.
 */
@QuarkusTest
@TestProfile(ClockAheadTest.Ahead.class)
class ClockAheadTest {
    public static class Ahead extends OwnDatabase {
        public Ahead() {
            super("asof-clock-ahead", "asof.testing.clock-offset", "PT3S", "asof.erase-tokens", "dpo:ahead-erase-token");
        }
    }

    @Test
    void aStampFromDatomicsFutureIsCommittedOnceItsClockGetsThereNotRejected() {
        Instant sent = Instant.now();
        JsonPath created = post(Map.of("id", UUID.randomUUID().toString(), "type", "price", "sku", "AHEAD-1",
                "amount", 1, "currency", "EUR")).statusCode(201).extract().jsonPath();
        Instant stamped = Instant.parse(created.getString("txInstant"));
        assertThat(stamped).as("stamped by the writer's clock, ahead of Datomic's").isAfter(sent.plus(Duration.ofSeconds(2)));
        assertThat(Instant.now()).as("committed once Datomic's clock reached the stamp").isAfterOrEqualTo(stamped);
    }

    /** The same for an erasure (issue 24), whose record is stamped by the same clock. */
    @Test
    void anErasureStampedInDatomicsFutureCompletesOnceItsClockGetsThere() {
        String id = "ahead-" + UUID.randomUUID();
        post(Map.of("id", UUID.randomUUID().toString(), "type", "customer", "customerId", id, "name", "Ada Ahead"))
                .statusCode(201);
        Instant sent = Instant.now();
        JsonPath erased = given().header("Authorization", "Bearer ahead-erase-token").contentType(ContentType.JSON)
                .body(Map.of("reason", "GDPR article 17")).post("/customers/" + id + "/erasure").then().statusCode(201)
                .extract().jsonPath();
        Instant stamped = Instant.parse(erased.getString("erasedAt"));
        assertThat(stamped).as("stamped by the writer's clock, ahead of Datomic's").isAfter(sent.plus(Duration.ofSeconds(2)));
        given().get("/customers/" + id).then().statusCode(410);
    }

    @Test
    void theRefusalOfAnInstantFromTheFutureIsNotARejectionAsData() {
        IllegalArgumentException future = new IllegalArgumentException(
                ":db.error/future-tx-instant Time conflict: Tue Dec 01 00:00:00 UTC 2026 is after now");
        assertThat(DatomicStore.aheadOfItsClock(future)).isTrue();
        assertThat(DatomicStore.rejectedAsData(future)).isFalse();
        assertThat(DatomicStore.rejectedAsData(new IllegalArgumentException(":db.error/unique-conflict"))).isTrue();
    }
}
