package dev.asof.security;

import static dev.asof.support.Events.price;
import static dev.asof.support.Events.sku;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;

import dev.asof.support.OwnDatabase;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Writes need a write token; reads are open here; health and metrics stay reachable; no token leaks. */
@QuarkusTest
@TestProfile(AccessControlTest.WriteTokens.class)
class AccessControlTest {
    static final String ALPHA = "alpha-0b1e2c3d4e5f";
    static final String BETA = "beta-9a8b7c6d5e4f";

    public static class WriteTokens extends OwnDatabase {
        public WriteTokens() {
            super("asof-access", "asof.write-tokens", ALPHA + "," + BETA);
        }
    }

    private final List<String> logged = new CopyOnWriteArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            logged.add(String.valueOf(record.getMessage()) + " " + java.util.Arrays.toString(record.getParameters()));
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void captureLogs() {
        Logger.getLogger("").addHandler(capture);
    }

    @AfterEach
    void stopCapturing() {
        Logger.getLogger("").removeHandler(capture);
    }

    @Test
    void writeWithoutATokenIs401WithAChallenge() {
        given().contentType("application/json").body(price(sku("anon"), 1, "EUR")).post("/events").then()
                .statusCode(401)
                .contentType("application/problem+json")
                .header("WWW-Authenticate", equalTo("Bearer realm=\"asof\""));
    }

    @Test
    void writeWithAWrongTokenIs401AndTheTokenIsNotEchoed() {
        String wrong = "not-" + ALPHA;
        given().auth().oauth2(wrong).contentType("application/json").body(price(sku("wrong"), 1, "EUR"))
                .post("/events").then()
                .statusCode(401)
                .header("WWW-Authenticate", containsString("invalid_token"))
                .body(not(containsString(wrong)));
    }

    @Test
    void eitherConfiguredTokenMayWrite() {
        String a = sku("alpha");
        given().auth().oauth2(ALPHA).contentType("application/json").body(price(a, 1, "EUR")).post("/events")
                .then().statusCode(201);
        given().auth().oauth2(BETA).contentType("application/json").body(price(sku("beta"), 1, "EUR")).post("/events")
                .then().statusCode(201);
        given().get("/prices/{sku}", a).then().statusCode(200);
    }

    @Test
    void healthAndMetricsNeedNoToken() {
        given().get("/q/health/ready").then().statusCode(200);
        given().get("/q/metrics").then().statusCode(200);
    }

    @Test
    void noTokenAppearsInLogsHealthOrMetrics() {
        given().auth().oauth2(ALPHA).contentType("application/json").body(price(sku("leak"), 1, "EUR")).post("/events")
                .then().statusCode(201);
        given().auth().oauth2("wrong-" + BETA).contentType("application/json").body(price(sku("leak"), 1, "EUR"))
                .post("/events").then().statusCode(401);
        String health = given().get("/q/health").asString();
        String metrics = given().get("/q/metrics").asString();
        for (String token : List.of(ALPHA, BETA)) {
            assertThat(health).doesNotContain(token);
            assertThat(metrics).doesNotContain(token);
            assertThat(logged).noneMatch(line -> line.contains(token));
        }
    }

}
