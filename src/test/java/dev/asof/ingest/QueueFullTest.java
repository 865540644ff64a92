package dev.asof.ingest;

import static dev.asof.support.Events.price;
import static dev.asof.support.Events.sku;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.lessThan;

import dev.asof.support.OwnDatabase;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A full queue answers 429 with Retry-After, promptly, and keeps nothing of the rejected request. */
@QuarkusTest
@TestProfile(QueueFullTest.SmallQueue.class)
class QueueFullTest {

    public static class SmallQueue extends OwnDatabase {
        public SmallQueue() {
            super("asof-small-queue", "asof.queue.capacity", "5", "asof.queue.retry-after-seconds", "3");
        }
    }

    @Inject
    TransactWorker worker;

    @Inject
    IngestQueue queue;

    @AfterEach
    void resumeWorker() {
        worker.resume();
    }

    @Test
    void fullQueueAnswers429AndQueuesNothingOfTheRequest() {
        worker.pause();
        String prefix = sku("full");
        List<Map<String, Object>> queued = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            queued.add(price(prefix + "-" + i, i, "EUR"));
        }
        async(queued).statusCode(202);
        assertThat(queue.depth()).isEqualTo(4);

        List<Map<String, Object>> tooMany = List.of(price(prefix + "-x", 1, "EUR"), price(prefix + "-y", 1, "EUR"));
        long started = System.nanoTime();
        async(tooMany).statusCode(429)
                .contentType("application/problem+json")
                .header("Retry-After", "3")
                .time(lessThan(2000L));
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(2));
        assertThat(queue.depth()).as("nothing of the rejected request was queued").isEqualTo(4);

        async(List.of(price(prefix + "-z", 1, "EUR"))).statusCode(202);
        async(List.of(price(prefix + "-w", 1, "EUR"))).statusCode(429);

        worker.resume();
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> queue.depth() == 0);
        Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                given().get("/prices/{sku}", prefix + "-z").then().statusCode(200));
        for (Map<String, Object> event : queued) {
            given().get("/prices/{sku}", event.get("sku")).then().statusCode(200).body("amount", equalTo(event.get("amount")));
        }
        given().get("/prices/{sku}", prefix + "-x").then().statusCode(404);
        given().get("/prices/{sku}", prefix + "-w").then().statusCode(404);
    }

    @Test
    void requestLargerThanTheQueueIs413() {
        List<Map<String, Object>> batch = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            batch.add(price(sku("big"), i, "EUR"));
        }
        given().contentType("application/json").body(batch).post("/events").then().statusCode(413)
                .contentType("application/problem+json");
    }

    private static io.restassured.response.ValidatableResponse async(List<Map<String, Object>> events) {
        return given().contentType("application/json").header("Prefer", "respond-async").body(events)
                .post("/events").then();
    }
}
