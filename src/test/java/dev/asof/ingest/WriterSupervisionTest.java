package dev.asof.ingest;

import static dev.asof.support.Events.price;
import static dev.asof.support.Events.sku;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import dev.asof.support.OwnDatabase;
import dev.asof.support.Worker;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The writer is supervised: a request the worker does not take by its queue deadline is answered
 * (503, nothing recorded), and a worker that dies makes the process not live. The last
 * specification kills this profile's worker for good.
 */
@QuarkusTest
@TestProfile(WriterSupervisionTest.ShortDeadline.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WriterSupervisionTest {

    public static class ShortDeadline extends OwnDatabase {
        public ShortDeadline() {
            super("asof-supervision", "asof.queue.deadline", "2s", "asof.queue.retry-after-seconds", "2");
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
    @Order(1)
    void requestNotTakenByItsDeadlineIsAnswered503AndNothingIsRecorded() {
        Map<String, Object> event = price(sku("DEADLINE"), 1, "EUR");
        Worker.hold(worker);
        long started = System.nanoTime();
        ExtractableResponse<Response> answer = given().contentType("application/json").body(List.of(event))
                .post("/events").then().extract();
        Duration waited = Duration.ofNanos(System.nanoTime() - started);

        answer.response().then().statusCode(503).contentType("application/problem+json").header("Retry-After", "2");
        assertThat(answer.jsonPath().getList("events.status", String.class)).containsExactly(IngestResult.FAILED);
        assertThat(waited).as("answered at its deadline").isBetween(Duration.ofMillis(1900), Duration.ofSeconds(15));
        assertThat(queue.depth()).as("its queue permit came back").isZero();

        worker.resume();
        given().contentType("application/json").body(List.of(event)).post("/events").then().statusCode(201)
                .body("events[0].status", equalTo(IngestResult.CREATED));
    }

    @Test
    @Order(2)
    void aWorkingWriterIsLive() {
        given().get("/q/health/live").then().statusCode(200)
                .body("checks.find { it.name == 'writer' }.status", equalTo("UP"));
    }

    @Test
    @Order(3)
    void aWorkerThatDiesMakesTheProcessNotLive() {
        List<Throwable> deaths = new CopyOnWriteArrayList<>();
        OutOfMemoryError error = new OutOfMemoryError("injected by WriterSupervisionTest");
        worker.failNextIteration(error, (thread, e) -> deaths.add(e));

        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> !worker.isAlive());
        assertThat(deaths).containsExactly(error);
        given().get("/q/health/live").then().statusCode(503)
                .body("checks.find { it.name == 'writer' }.status", equalTo("DOWN"))
                .body("checks.find { it.name == 'writer' }.data.trouble", equalTo("the transact worker has died"));
    }
}
