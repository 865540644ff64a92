package dev.asof.ingest;

import static dev.asof.support.Events.post;
import static dev.asof.support.Events.price;
import static dev.asof.support.Events.sku;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.asof.support.OwnDatabase;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** A long chain of versions of one entity is committed one version a transaction, and never holds other writers up. */
@QuarkusTest
@TestProfile(HotEntityTest.SmallBatches.class)
class HotEntityTest {
    private static final int VERSIONS = 2000;

    public static class SmallBatches extends OwnDatabase {
        public SmallBatches() {
            super("asof-hot-entity", "asof.queue.max-batch", "50");
        }
    }

    @Test
    void anotherSkusEventCommitsWhileAHotChainIsStillCommitting() {
        String hot = sku("HOT");
        StringBuilder chain = new StringBuilder();
        for (int i = 0; i < VERSIONS; i++) {
            // Corrections of one SKU and valid time: each one a transaction of its own.
            chain.append("{\"type\":\"price\",\"sku\":\"").append(hot).append("\",\"amount\":").append(i)
                    .append(",\"currency\":\"EUR\",\"effectiveAt\":\"2026-01-01T00:00:00Z\"}\n");
        }
        given().contentType("application/x-ndjson").header("Prefer", "respond-async")
                .body(chain.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8))
                .post("/events").then().statusCode(202);
        Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(5)).untilAsserted(() ->
                given().get("/prices/{sku}", hot).then().statusCode(200));

        long other = post(price(sku("COLD"), 1, "EUR")).statusCode(201).extract().jsonPath().getLong("t");

        Awaitility.await().atMost(Duration.ofSeconds(120)).untilAsserted(() ->
                given().get("/prices/{sku}", hot).then().body("amount", org.hamcrest.Matchers.equalTo(VERSIONS - 1)));
        long chainEnd = given().get("/prices/{sku}", hot).then().extract().jsonPath().getLong("t");
        assertThat(other).as("the other SKU's event rode along with the chain, not after it").isLessThan(chainEnd);
        int chainAtOther = given().get("/prices/{sku}?asOf={t}", hot, other).then().statusCode(200)
                .extract().jsonPath().getInt("amount");
        assertThat(chainAtOther).as("versions of the chain committed before the other SKU's event got in")
                .isLessThan(VERSIONS / 2);
        // Every version is in history, in order.
        assertThat(given().get("/prices/{sku}/history?limit=1000&order=desc", hot).then().statusCode(200)
                .extract().jsonPath().getList("items.findAll { it.op == 'assert' }.amount", Integer.class))
                .startsWith(VERSIONS - 1, VERSIONS - 2, VERSIONS - 3);
    }
}
