package dev.asof.ingest;

import static dev.asof.support.Events.price;
import static dev.asof.support.Events.sku;
import static dev.asof.support.Events.with;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.asof.support.Events;
import dev.asof.support.Worker;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A request of at most the max batch that names each entity once is atomic (README): one
 * transaction, or nothing. T (a price of AT-A) and S = [AT-B, AT-A] land in one drain, with the
 * worker held so that they do: S must not go half with T's transaction and half after it.
 */
@QuarkusTest
class AtomicRequestTest {
    private static final String VALID = "2026-01-01T00:00:00Z";

    @Inject
    TransactWorker worker;

    @Inject
    IngestQueue queue;

    @AfterEach
    void resumeWorker() {
        worker.resume();
    }

    @Test
    void requestBehindAnotherVersionOfOneOfItsEntitiesWaitsWhole() throws Exception {
        String a = sku("AT-A");
        String b = sku("AT-B");
        Map<String, Object> t = with(price(a, 1, "EUR"), "effectiveAt", VALID);
        List<Map<String, Object>> s = List.of(with(price(b, 2, "EUR"), "effectiveAt", VALID),
                with(price(a, 3, "EUR"), "effectiveAt", VALID));

        ExtractableResponse<Response> answer = behindHeldWorker(t, s);

        answer.response().then().statusCode(201);
        List<Long> ts = answer.jsonPath().getList("events.t", Long.class);
        assertThat(ts).as("both events of S in one transaction").hasSize(2).doesNotContainNull();
        assertThat(ts.get(0)).isEqualTo(ts.get(1));
        assertThat(Events.awaitT(UUID.fromString((String) t.get("id")))).as("T first").isLessThan(ts.get(0));
        given().get("/prices/{sku}?validAt=" + VALID, a).then().statusCode(200).body("amount", org.hamcrest.Matchers.equalTo(3));
    }

    @Test
    void requestReusingAnIdOfTheRequestAheadFailsWholeNotPartly() throws Exception {
        String a = sku("AT-A");
        String b = sku("AT-B");
        Map<String, Object> t = with(price(a, 1, "EUR"), "effectiveAt", VALID);
        List<Map<String, Object>> s = List.of(with(price(b, 2, "EUR"), "effectiveAt", VALID),
                with(with(price(a, 3, "EUR"), "effectiveAt", VALID), "id", t.get("id")));

        ExtractableResponse<Response> answer = behindHeldWorker(t, s);

        answer.response().then().statusCode(422).contentType("application/problem+json");
        assertThat(answer.jsonPath().getString("title")).isNotEqualTo("Partly recorded");
        assertThat(answer.jsonPath().getList("events.status", String.class)).containsOnly(IngestResult.FAILED);
        given().get("/prices/{sku}", b).then().statusCode(404);
    }

    /** Queues T, then S behind it while the worker is held; resumes it; S's answer. */
    private ExtractableResponse<Response> behindHeldWorker(Map<String, Object> t, List<Map<String, Object>> s)
            throws Exception {
        Worker.hold(worker);
        int before = queue.depth();
        given().contentType("application/json").header("Prefer", "respond-async").body(List.of(t))
                .post("/events").then().statusCode(202);
        CompletableFuture<ExtractableResponse<Response>> answer = CompletableFuture.supplyAsync(
                () -> given().contentType("application/json").body(s).post("/events").then().extract());
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> queue.depth() == before + 3);
        worker.resume();
        return answer.get(30, TimeUnit.SECONDS);
    }
}
