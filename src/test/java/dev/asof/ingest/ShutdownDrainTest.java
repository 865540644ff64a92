package dev.asof.ingest;

import static dev.asof.support.Events.price;
import static dev.asof.support.Events.sku;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import dev.asof.support.OwnDatabase;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Shutdown stops intake (503) and commits what is queued before the worker stops. This runs the
 * same method the SIGTERM observer runs, in its own profile because the worker does not come back.
 */
@QuarkusTest
@TestProfile(ShutdownDrainTest.Own.class)
class ShutdownDrainTest {

    public static class Own extends OwnDatabase {
        public Own() {
            super("asof-shutdown");
        }
    }

    @Inject
    TransactWorker worker;

    @Inject
    IngestQueue queue;

    @Test
    void shutdownCommitsWhatIsQueuedAndRefusesNewEvents() {
        worker.pause();
        String prefix = sku("drain");
        List<Map<String, Object>> events = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            events.add(price(prefix + "-" + i, i, "EUR"));
        }
        given().contentType("application/json").header("Prefer", "respond-async").body(events)
                .post("/events").then().statusCode(202);
        assertThat(queue.depth()).isEqualTo(50);

        worker.drainAndStop(20, TimeUnit.SECONDS);

        assertThat(worker.isAlive()).isFalse();
        assertThat(queue.depth()).isZero();
        for (Map<String, Object> event : events) {
            given().get("/prices/{sku}", event.get("sku")).then().statusCode(200)
                    .body("amount", equalTo(event.get("amount")));
        }
        given().contentType("application/json").body(price(prefix + "-late", 1, "EUR"))
                .post("/events").then().statusCode(503)
                .contentType("application/problem+json")
                .header("Retry-After", "1");
        given().get("/q/health/ready").then().statusCode(503);
    }
}
