package dev.asof.erasure;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;

import dev.asof.datomic.PersonalData;
import dev.asof.support.OwnDatabase;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/**
 * Erasure on the embedded database without a journal: who may erase (an erase token only), what a
 * request must say, what the service answers before, during and after, and that writes around it
 * keep their t. The journal, pg_dump, heap dumps and kill -9 are {@link ErasureIT}'s.
 */
@QuarkusTest
@TestProfile(ErasureTest.Tokens.class)
class ErasureTest {
    static final String WRITE = "Bearer write-token";
    static final String ERASE = "Bearer erase-token";

    public static class Tokens extends OwnDatabase {
        public Tokens() {
            super("asof-erasure", "asof.write-tokens", "write-token", "asof.erase-tokens", "dpo:erase-token,ops:other-erase");
        }
    }

    @Test
    void onlyAnEraseTokenErasesAndTheAuditTrailTooNeedsOne() {
        String id = created("auth-" + UUID.randomUUID(), "Ann Auth");
        given().contentType(ContentType.JSON).body("{\"reason\":\"r\"}").post(path(id) + "/erasure").then()
                .statusCode(401).contentType("application/problem+json");
        given().header("Authorization", WRITE).contentType(ContentType.JSON).body("{\"reason\":\"r\"}")
                .post(path(id) + "/erasure").then().statusCode(403).contentType("application/problem+json")
                .body("detail", containsString("erase token"));
        given().header("Authorization", "Bearer nobody").contentType(ContentType.JSON).body("{\"reason\":\"r\"}")
                .post(path(id) + "/erasure").then().statusCode(401);
        // An erase token does not write.
        given().header("Authorization", ERASE).contentType(ContentType.JSON).body(List.of(customer(id, "name", "X")))
                .post("/events").then().statusCode(401);
        given().get("/erasures").then().statusCode(401);
        given().header("Authorization", WRITE).get("/erasures").then().statusCode(403);
        given().header("Authorization", ERASE).get(path(id)).then().statusCode(200).body("name", equalTo("Ann Auth"));
    }

    @Test
    void aRequestNeedsAReasonThatNamesNothingErasedAndACustomerThatExisted() {
        String id = created("reason-" + UUID.randomUUID(), "Rhea Reasonable");
        erase(id, null).then().statusCode(400).contentType("application/problem+json");
        given().header("Authorization", ERASE).contentType(ContentType.JSON).body("{\"reason\":\"\"}")
                .post(path(id) + "/erasure").then().statusCode(400).body("errors[0].field", equalTo("reason"));
        erase(id, "asked by rhea reasonable herself").then().statusCode(400).body("detail", containsString("names"));
        erase("never-" + UUID.randomUUID(), "GDPR").then().statusCode(404).contentType("application/problem+json");
        given().get(path(id)).then().statusCode(200);
    }

    @Test
    void erasedOnceAnsweredGoneAtEveryPointAndItsIdIsNotTakenAgain() {
        String id = "gone." + UUID.randomUUID() + "@example.org";
        Map<String, Object> first = customer(id, "name", "Gina Gone");
        first.put("city", "Genoa");
        first.put("tier", "gold");
        long t1 = post(List.of(first));
        long t2 = post(List.of(customer(id, "name", "Gina Gone-Again")));
        String settled = given().get(path(id) + "?asOf=" + t1).then().statusCode(200).extract().header("Cache-Control");
        assertThat(settled).as("a customer's settled answer is never kept as immutable").contains("private")
                .contains("no-cache").doesNotContain("immutable");

        Response erased = erase(id, "GDPR article 17, ticket 7");
        erased.then().statusCode(201).body("by", equalTo("dpo")).body("customer", equalTo(PersonalData.digest(id)))
                .body("status", equalTo("complete")).body("transactions", hasItem((int) t1));
        long t = erased.jsonPath().getLong("t");
        assertThat(t).isGreaterThan(t2);
        erase(id, "again").then().statusCode(200).body("t", equalTo((int) t)).body("reason", equalTo("GDPR article 17, ticket 7"));

        for (String asOf : List.of("", "?asOf=" + t1, "?asOf=" + t2, "?asOf=" + t)) {
            given().get(path(id) + asOf).then().statusCode(410).contentType("application/problem+json")
                    .body("title", equalTo("Customer erased")).body("detail", containsString("t=" + t));
        }
        given().get(path(id) + "/history").then().statusCode(200)
                .body("items.findAll { it.attribute == 'name' }.erased", not(hasItem(false)))
                .body("items.findAll { it.attribute == 'tier' }.value", hasItem("gold"))
                .body(not(containsString("Gina"))).body(not(containsString("Genoa")));
        given().get("/tx/" + t1).then().statusCode(200).body(not(containsString("Gina")))
                .body(not(containsString(PersonalData.digest(id)))).body("changes.entity.customerId", hasItem("erased"));
        given().get("/tx/" + t).then().statusCode(200).body("erasure.transactions", hasItem((int) t1))
                .body(not(containsString(PersonalData.digest(id))));
        given().get("/changes?after=0&limit=1000").then().statusCode(200).body(not(containsString("Gina")));

        // The id is not taken again; the first event sent again keeps its t.
        given().header("Authorization", WRITE).contentType(ContentType.JSON).body(List.of(customer(id, "name", "Gina")))
                .post("/events").then().statusCode(410).contentType("application/problem+json");
        given().header("Authorization", WRITE).contentType(ContentType.JSON).body(List.of(first)).post("/events")
                .then().statusCode(200).body("events[0].t", equalTo((int) t1));

        given().header("Authorization", ERASE).get("/erasures").then().statusCode(200)
                .body("items.customer", hasItem(PersonalData.digest(id))).body(not(containsString("Gina")));
    }

    @Test
    void writesDuringAnErasureAreEitherBeforeOrAfterItAndKeepTheirT() throws Exception {
        String id = created("busy-" + UUID.randomUUID(), "Bo Busy");
        Map<String, Long> acknowledged = new ConcurrentHashMap<>();
        List<CompletableFuture<Void>> writers = new ArrayList<>();
        for (int w = 0; w < 3; w++) {
            int writer = w;
            writers.add(CompletableFuture.runAsync(() -> {
                for (int i = 0; i < 30; i++) {
                    String other = "other-" + writer + "-" + i + "-" + UUID.randomUUID();
                    acknowledged.put(other, post(List.of(customer(other, "name", "Olga " + i))));
                }
            }));
        }
        Response erased = erase(id, "GDPR article 17");
        for (CompletableFuture<Void> writer : writers) {
            writer.join();
        }
        erased.then().statusCode(201);
        assertThat(acknowledged).hasSize(90);
        for (Map.Entry<String, Long> other : acknowledged.entrySet()) {
            given().get(path(other.getKey())).then().statusCode(200).body("t", equalTo(other.getValue().intValue()));
        }
        given().get(path(id)).then().statusCode(410);
    }

    private static Response erase(String id, String reason) {
        return given().header("Authorization", ERASE).contentType(ContentType.JSON)
                .body(reason == null ? "{}" : "{\"reason\":\"" + reason + "\"}").post(path(id) + "/erasure");
    }

    private static String created(String id, String name) {
        post(List.of(customer(id, "name", name)));
        return id;
    }

    private static long post(List<Map<String, Object>> events) {
        Response response = given().header("Authorization", WRITE).contentType(ContentType.JSON).body(events)
                .post("/events");
        response.then().statusCode(201);
        return response.jsonPath().getLong("events[0].t");
    }

    private static Map<String, Object> customer(String id, String field, Object value) {
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("id", UUID.randomUUID().toString());
        event.put("type", "customer");
        event.put("customerId", id);
        event.put(field, value);
        return event;
    }

    private static String path(String id) {
        return "/customers/" + id;
    }
}
