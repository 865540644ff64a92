package dev.asof.customers;

import static dev.asof.support.Events.customer;
import static dev.asof.support.Events.post;
import static dev.asof.support.Events.postNdjson;
import static dev.asof.support.Events.with;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.not;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/** Customers as of any moment, and their attribute-level history across deletion. */
@QuarkusTest
class CustomerTimeTravelTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @ConfigProperty(name = "asof.reads.scan", defaultValue = "1000")
    int scan;

    private static long send(Map<String, Object> event) {
        return post(event).statusCode(201).extract().jsonPath().getLong("t");
    }

    /**
     * Issue 20: a clear of a customer that is not there (deleted, or never created) creates nothing,
     * so a late or redelivered clear cannot undo a deletion; an event that sets a field still does.
     */
    @Test
    void aClearOfACustomerThatIsNotThereCreatesNothing() {
        String id = "clear-" + java.util.UUID.randomUUID();
        post(with(customer(id), "city", "Paris")).statusCode(201);
        post(with(customer(id), "deleted", true)).statusCode(201);
        given().get("/customers/{id}", id).then().statusCode(404);
        post(with(customer(id), "city", null)).statusCode(201)
                .body("events[0].status", equalTo("created")).body("events[0].changed", equalTo(false));
        given().get("/customers/{id}", id).then().statusCode(404);
        String never = "clear-never-" + java.util.UUID.randomUUID();
        post(with(customer(never), "name", null)).statusCode(201).body("events[0].changed", equalTo(false));
        given().get("/customers/{id}", never).then().statusCode(404);
        post(with(customer(id), "city", "Lyon")).statusCode(201)
                .body("events[0].changed", org.hamcrest.Matchers.nullValue());
        given().get("/customers/{id}", id).then().statusCode(200).body("city", equalTo("Lyon"));
    }

    @Test
    void customerAsOfEachMomentOfItsLife() {
        String id = "life-" + UUID.randomUUID();
        long created = send(with(with(customer(id), "name", "Ada"), "tier", "gold"));
        long moved = send(with(with(customer(id), "city", "Paris"), "tier", null));
        long deleted = send(with(customer(id), "deleted", true));
        long back = send(with(customer(id), "name", "Ada II"));

        given().get("/customers/{id}?asOf={t}", id, created - 1).then().statusCode(404);
        given().get("/customers/{id}?asOf={t}", id, created).then().statusCode(200)
                .body("name", equalTo("Ada")).body("tier", equalTo("gold")).body("$", not(hasKey("city")));
        given().get("/customers/{id}?asOf={t}", id, moved).then()
                .body("city", equalTo("Paris")).body("$", not(hasKey("tier"))).body("t", equalTo((int) moved));
        given().get("/customers/{id}?asOf={t}", id, deleted).then().statusCode(404);
        given().get("/customers/{id}?asOf={t}", id, back).then().statusCode(200)
                .body("name", equalTo("Ada II")).body("$", not(hasKey("city")));
        given().get("/customers/{id}?asOf=nope", id).then().statusCode(400).body("detail", containsString("asOf"));
    }

    @Test
    void aChangeThatOnlyClearsAFieldIsTheCustomersLatestT() {
        String id = "clear-" + UUID.randomUUID();
        send(with(with(customer(id), "name", "Ada"), "city", "Paris"));
        long cleared = send(with(customer(id), "city", null));
        JsonPath now = given().get("/customers/{id}", id).then().statusCode(200).extract().jsonPath();
        assertThat(now.getLong("t")).isEqualTo(cleared);
        assertThat(now.getString("txInstant")).isEqualTo(
                given().get("/tx/{t}", cleared).then().extract().jsonPath().getString("txInstant"));
        given().get("/customers/{id}?asOf={t}", id, cleared).then().body("t", equalTo((int) cleared))
                .body("$", not(hasKey("city")));
    }

    @Test
    void historyListsAttributeChangesWithTheirEvents() {
        String id = "hist-" + UUID.randomUUID();
        Map<String, Object> create = with(customer(id), "email", "a@example.com");
        long t1 = send(create);
        Map<String, Object> change = with(customer(id), "email", "b@example.com");
        long t2 = send(change);
        long t3 = send(with(customer(id), "deleted", true));

        JsonPath history = given().get("/customers/{id}/history", id).then().statusCode(200).extract().jsonPath();
        assertThat(history.getList("items.t", Long.class)).containsExactly(t1, t1, t2, t2, t3, t3);
        assertThat(history.getList("items.attribute")).containsExactly("email", "id", "email", "email", "email", "id");
        assertThat(history.getList("items.op")).containsExactly("assert", "assert", "retract", "assert", "retract", "retract");
        assertThat(history.getList("items.value")).containsExactly("a@example.com", id, "a@example.com",
                "b@example.com", "b@example.com", id);
        assertThat(history.getString("items[0].eventId")).isEqualTo(create.get("id"));
        assertThat(history.getString("items[3].eventId")).isEqualTo(change.get("id"));

        given().get("/customers/{id}/history?order=desc&limit=2", id).then()
                .body("items.t", equalTo(List.of((int) t3, (int) t3)))
                .body("next", org.hamcrest.Matchers.notNullValue());
        given().get("/customers/{id}/history?from={a}", id, t2).then()
                .body("items.t", equalTo(List.of((int) t2, (int) t2, (int) t3, (int) t3)));
        given().get("/customers/{id}/history", "nobody-" + UUID.randomUUID()).then().statusCode(200)
                .body("items", equalTo(List.of()));
    }

    /**
     * Events that change nothing — the same fields again, a field cleared that the customer does not
     * have, no field at all, the deletion of a deleted customer — are recorded out of the customer's
     * history index: the newest page is the last real change however many of them follow it.
     */
    @Test
    void aCustomerSentAgainUnchangedIsNotReadByItsHistoryPages() throws Exception {
        String id = "resent-" + UUID.randomUUID();
        Map<String, Object> create = with(with(customer(id), "name", "Ada"), "city", "Paris");
        send(create);
        sendEach(scan + 1, create, with(customer(id), "tier", null), customer(id), with(customer(id), "name", "Ada"));

        JsonPath newest = given().queryParam("order", "desc").queryParam("limit", 1)
                .get("/customers/{id}/history", id).then().statusCode(200).extract().jsonPath();
        assertThat(newest.getList("items.eventId")).containsExactly((String) create.get("id"));
        assertThat(newest.getList("items.attribute")).containsExactly("name");

        Map<String, Object> delete = with(customer(id), "deleted", true);
        send(delete);
        sendEach(scan + 1, delete);
        newest = given().queryParam("order", "desc").queryParam("limit", 1)
                .get("/customers/{id}/history", id).then().statusCode(200).extract().jsonPath();
        assertThat(newest.getList("items.eventId")).containsExactly((String) delete.get("id"));
        assertThat(newest.getList("items.op")).containsExactly("retract");
    }

    /** Sends {@code count} events in one NDJSON request, each of {@code events} in turn under a new id. */
    @SafeVarargs
    private static void sendEach(int count, Map<String, Object>... events) throws Exception {
        StringBuilder body = new StringBuilder();
        for (int i = 0; i < count; i++) {
            Map<String, Object> again = new LinkedHashMap<>(events[i % events.length]);
            again.put("id", UUID.randomUUID().toString());
            body.append(JSON.writeValueAsString(again)).append('\n');
        }
        postNdjson(body.toString()).statusCode(201);
    }
}
