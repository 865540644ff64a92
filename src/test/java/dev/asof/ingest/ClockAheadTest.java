package dev.asof.ingest;

import static dev.asof.support.Events.post;
import static org.assertj.core.api.Assertions.assertThat;

import dev.asof.datomic.DatomicStore;
import dev.asof.support.OwnDatabase;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
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
            super("asof-clock-ahead", "asof.testing.clock-offset", "PT3S");
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

    @Test
    void theRefusalOfAnInstantFromTheFutureIsNotARejectionAsData() {
        IllegalArgumentException future = new IllegalArgumentException(
                ":db.error/future-tx-instant Time conflict: Tue Dec 01 00:00:00 UTC 2026 is after now");
        assertThat(DatomicStore.aheadOfItsClock(future)).isTrue();
        assertThat(DatomicStore.rejectedAsData(future)).isFalse();
        assertThat(DatomicStore.rejectedAsData(new IllegalArgumentException(":db.error/unique-conflict"))).isTrue();
    }
}
