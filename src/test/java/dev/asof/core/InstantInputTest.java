package dev.asof.core;

import static dev.asof.support.Events.post;
import static dev.asof.support.Events.price;
import static dev.asof.support.Events.sku;
import static dev.asof.support.Events.with;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * An event's valid time and a query's instants are read by one rule ({@link Instants}): what one
 * refuses the other refuses, with the same reason, and nothing is folded into another instant —
 * numbers in strings, leap seconds, 24:00, minutes without seconds (issue 20's reproductions).
 */
@QuarkusTest
class InstantInputTest {
    private static final List<String> REFUSED = List.of("1700000000", "1.5", "-86400", "2016-12-31T23:59:60Z",
            "2016-12-31T23:59:60.500Z", "2026-06-01T24:00:00Z", "2026-06-01T00:00Z");

    @Test
    void whatAnEventsValidTimeRefusesAQueryRefusesTooForTheSameReason() {
        String sku = sku("instant");
        post(with(price(sku, 1, "EUR"), "effectiveAt", "2026-01-01T00:00:00Z")).statusCode(201);
        for (String text : REFUSED) {
            JsonPath event = post(with(price(sku, 2, "EUR"), "effectiveAt", text)).statusCode(400).extract().jsonPath();
            assertThat(event.getString("errors[0].field")).as(text).isEqualTo("effectiveAt");
            String why = event.getString("errors[0].message");
            JsonPath query = given().queryParam("validAt", text).get("/prices/{sku}", sku).then().statusCode(400)
                    .extract().jsonPath();
            assertThat(query.getString("errors[0].field")).as(text).isEqualTo("validAt");
            assertThat(query.getString("errors[0].message")).as(text).isEqualTo(why);
        }
        // Nothing of them was recorded: the one version stands.
        given().get("/prices/{sku}/history", sku).then().statusCode(200).extract().jsonPath().getList("items")
                .forEach(item -> assertThat(item.toString()).contains("2026-01-01T00:00:00Z"));
    }

    /** A valid time is kept to the millisecond Datomic keeps: a finer fraction (Instant.now(), isoformat()) is cut. */
    @Test
    void aValidTimeIsKeptToTheMillisecond() {
        String sku = sku("instant-ms");
        post(with(price(sku, 1, "EUR"), "effectiveAt", "2026-01-01T02:00:00.100999+02:00")).statusCode(201);
        assertThat(given().queryParam("validAt", "2026-01-01T00:00:00.1Z").get("/prices/{sku}", sku).then()
                .statusCode(200).extract().jsonPath().getString("effectiveAt")).isEqualTo("2026-01-01T00:00:00.100Z");
    }

    /** Issue 20: a history bound finer than a millisecond, just past a transaction's instant, keeps it. */
    @Test
    void historyBoundsFinerThanAMillisecondCutAtTheInstantTheyName() {
        String sku = sku("instant-bound");
        JsonPath created = post(price(sku, 1, "EUR")).statusCode(201).extract().jsonPath();
        java.time.Instant at = java.time.Instant.parse(created.getString("txInstant"));
        String justAfter = at.plusNanos(500_000).toString();
        assertThat(given().queryParam("to", justAfter).get("/prices/{sku}/history", sku).then().statusCode(200)
                .extract().jsonPath().getList("items")).as("to=%s (exclusive) holds the transaction at %s", justAfter, at)
                .hasSize(1);
        assertThat(given().queryParam("from", justAfter).get("/prices/{sku}/history", sku).then().statusCode(200)
                .extract().jsonPath().getList("items")).as("from=%s starts after the transaction at %s", justAfter, at)
                .isEmpty();
        assertThat(given().queryParam("to", at.toString()).get("/prices/{sku}/history", sku).then().statusCode(200)
                .extract().jsonPath().getList("items")).as("to=%s, its own instant, excludes it", at).isEmpty();
    }

    @Test
    void theLastInstantOfYear9999IsAQueryInstant() {
        given().queryParam("validAt", "9999-12-31T23:59:59.9995Z").get("/prices/{sku}", sku("instant-end")).then()
                .statusCode(404);
    }
}
