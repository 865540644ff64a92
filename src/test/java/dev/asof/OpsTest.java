package dev.asof;

import static dev.asof.support.Events.post;
import static dev.asof.support.Events.price;
import static dev.asof.support.Events.sku;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasKey;

import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

/** What the platform sees: health, metrics, and the API description. */
@QuarkusTest
class OpsTest {

    @Test
    void liveAndReadyOnceTheSchemaIsInPlace() {
        given().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
        given().get("/q/health/ready").then().statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.find { it.name == 'datomic' }.data", hasKey("basisT"));
    }

    @Test
    void metricsShowQueueBatchesLatencyAndOutcomes() {
        post(price(sku("metrics"), 1, "EUR")).statusCode(201);
        post(price("bad sku", 1, "EUR")).statusCode(400);
        given().get("/q/metrics").then().statusCode(200)
                .body(containsString("asof_queue_depth"))
                .body(containsString("asof_queue_capacity"))
                .body(containsString("asof_batch_size_events_bucket"))
                .body(containsString("asof_transact_latency_seconds_count"))
                .body(containsString("asof_events_total{outcome=\"created\"}"))
                .body(containsString("asof_events_total{outcome=\"duplicate\"}"))
                .body(containsString("asof_requests_invalid_total"));
    }

    @Test
    void openApiDescribesEveryEndpointWithExamples() {
        given().accept("application/json").get("/q/openapi").then().statusCode(200)
                .body("paths", hasKey("/events"))
                .body("paths", hasKey("/prices/{sku}"))
                .body("paths", hasKey("/customers/{id}"))
                .body("paths", hasKey("/tx/{t}"))
                .body("paths", hasKey("/prices"))
                .body("paths", hasKey("/prices/{sku}/history"))
                .body("paths", hasKey("/customers/{id}/history"))
                .body("paths", hasKey("/changes"))
                .body("paths", hasKey("/changes/stream"))
                .body("paths.'/events'.post.responses", hasKey("429"))
                .body("paths.'/events'.post.requestBody.content.'application/json'.examples", hasKey("price"));
    }

    @Test
    void unknownPathIsAProblem() {
        given().get("/nothing/here").then().statusCode(404).contentType("application/problem+json");
    }
}
