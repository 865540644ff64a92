package dev.asof.security;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;

import dev.asof.support.OwnDatabase;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;

/** ASOF_METRICS_PROTECTED closes /q/metrics to callers without a token; health stays open. */
@QuarkusTest
@TestProfile(MetricsAccessTest.Protected.class)
class MetricsAccessTest {
    static final String READER = "metrics-reader-7d8e9f";

    public static class Protected extends OwnDatabase {
        public Protected() {
            super("asof-metrics", "asof.metrics-protected", "true", "asof.read-tokens", READER,
                    "asof.write-tokens", "metrics-writer-1a2b3c");
        }
    }

    @Test
    void metricsNeedATokenAndHealthDoesNot() {
        given().get("/q/metrics").then().statusCode(401).contentType("application/problem+json")
                .header("WWW-Authenticate", containsString("Bearer"));
        given().auth().oauth2("wrong").get("/q/metrics").then().statusCode(401);
        given().auth().oauth2(READER).get("/q/metrics").then().statusCode(200).body(containsString("asof_queue_depth"));
        given().get("/q/health/ready").then().statusCode(200);
    }
}
