package dev.asof.ingest;

import static dev.asof.support.Events.price;
import static dev.asof.support.Events.sku;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.asof.support.OwnDatabase;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The largest allowed request gets in under steady small traffic: small requests do not overtake it. */
@QuarkusTest
@TestProfile(FairAdmissionTest.SmallQueue.class)
class FairAdmissionTest {

    public static class SmallQueue extends OwnDatabase {
        public SmallQueue() {
            super("asof-fair-admission", "asof.queue.capacity", "10", "asof.queue.max-batch", "4",
                    "asof.queue.admission-wait", "10s");
        }
    }

    @Inject
    TransactWorker worker;

    @Inject
    IngestQueue queue;

    @AfterEach
    void resume() {
        worker.resume();
    }

    @Test
    void bulkRequestWaitingForRoomIsNotOvertakenBySmallOnes() throws Exception {
        worker.pause();
        for (int i = 0; i < 2; i++) {
            List<Map<String, Object>> four = new ArrayList<>();
            for (int j = 0; j < 4; j++) {
                four.add(price(sku("fill"), j, "EUR"));
            }
            async(four).statusCode(202);
        }
        assertThat(queue.depth()).isEqualTo(8);

        List<Map<String, Object>> bulk = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            bulk.add(price(sku("bulk"), i, "EUR"));
        }
        CompletableFuture<Response> waiting = CompletableFuture.supplyAsync(() ->
                given().contentType("application/json").body(bulk).post("/events"));
        Thread.sleep(500); // the bulk request is in line for room

        // Two events' room is free, but the bulk request waits ahead: a small one is refused at once.
        async(List.of(price(sku("small"), 1, "EUR"))).statusCode(429);
        assertThat(waiting).isNotDone();

        worker.resume();
        Response admitted = waiting.get(30, TimeUnit.SECONDS);
        assertThat(admitted.statusCode()).as(admitted.asString()).isEqualTo(201);
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> queue.depth() == 0);
        async(List.of(price(sku("small"), 2, "EUR"))).statusCode(202);
    }

    private static io.restassured.response.ValidatableResponse async(List<Map<String, Object>> events) {
        return given().contentType("application/json").header("Prefer", "respond-async").body(events)
                .post("/events").then();
    }
}
