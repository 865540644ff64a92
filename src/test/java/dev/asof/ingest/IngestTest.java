package dev.asof.ingest;

import static dev.asof.support.Events.customer;
import static dev.asof.support.Events.post;
import static dev.asof.support.Events.postNdjson;
import static dev.asof.support.Events.postRaw;
import static dev.asof.support.Events.price;
import static dev.asof.support.Events.sku;
import static dev.asof.support.Events.with;
import static dev.asof.support.Events.without;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The write path end to end: POST, commit, and the reads that prove what was committed. */
@QuarkusTest
class IngestTest {

    @Test
    void singleEventAnswers201WithItsTransaction() {
        String sku = sku("single");
        Map<String, Object> event = with(price(sku, new BigDecimal("19.99"), "EUR"), "source", "pricing");
        JsonPath body = post(event).statusCode(201)
                .contentType("application/json")
                .body("t", greaterThan(1000))
                .body("txInstant", notNullValue())
                .body("events", hasSize(1))
                .body("events[0].id", equalTo(event.get("id")))
                .body("events[0].status", equalTo("created"))
                .extract().jsonPath();
        long t = body.getLong("t");
        assertThat(body.getLong("events[0].t")).isEqualTo(t);

        given().get("/prices/{sku}", sku).then().statusCode(200)
                .body("sku", equalTo(sku))
                .body("amount", equalTo(19.99f))
                .body("currency", equalTo("EUR"))
                .body("t", equalTo((int) t))
                .body("txInstant", equalTo(body.getString("txInstant")))
                .body("basisT", greaterThan((int) t - 1));
    }

    @Test
    void amountIsKeptExactlyWithItsScale() {
        String sku = sku("exact");
        postRaw("{\"type\":\"price\",\"sku\":\"" + sku + "\",\"amount\":0.1000,\"currency\":\"USD\"}")
                .statusCode(201);
        String raw = given().get("/prices/{sku}", sku).then().statusCode(200).extract().asString();
        assertThat(raw).contains("\"amount\":0.1000");
        String big = sku("big");
        postRaw("{\"type\":\"price\",\"sku\":\"" + big
                + "\",\"amount\":123456789012345678901234.5678,\"currency\":\"USD\"}").statusCode(201);
        assertThat(given().get("/prices/{sku}", big).then().extract().asString())
                .contains("\"amount\":123456789012345678901234.5678");
    }

    @Test
    void eventWithoutIdGetsOne() {
        post(without(price(sku("no-id"), 1, "EUR"), "id")).statusCode(201)
                .body("events[0].id", notNullValue());
    }

    @Test
    void arrayOfEventsCommitsAllInOneTransaction() {
        List<Map<String, Object>> batch = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            batch.add(price(sku("array"), i, "EUR"));
        }
        JsonPath body = post(batch).statusCode(201).body("events", hasSize(10)).extract().jsonPath();
        assertThat(body.getList("events.t", Long.class)).containsOnly(body.getLong("t"));
        for (Map<String, Object> event : batch) {
            given().get("/prices/{sku}", event.get("sku")).then().statusCode(200)
                    .body("amount", equalTo(event.get("amount")));
        }
    }

    @Test
    void ndjsonBulkLoadIsCommitted() {
        String prefix = sku("nd");
        StringBuilder body = new StringBuilder();
        for (int i = 0; i < 2500; i++) {
            body.append("{\"type\":\"price\",\"sku\":\"").append(prefix).append('-').append(i)
                    .append("\",\"amount\":").append(i).append(",\"currency\":\"EUR\"}\n");
        }
        JsonPath result = postNdjson(body.toString()).statusCode(201).body("events", hasSize(2500))
                .extract().jsonPath();
        // 2500 events exceed the max batch of 1000: the load spans several transactions.
        assertThat(result.getList("events.t", Long.class).stream().distinct().count()).isGreaterThan(2);
        given().get("/prices/{sku}", prefix + "-0").then().statusCode(200).body("amount", equalTo(0));
        given().get("/prices/{sku}", prefix + "-2499").then().statusCode(200).body("amount", equalTo(2499));
    }

    @Test
    void repeatedEventIdAnswersOriginalT() {
        Map<String, Object> event = price(sku("idem"), 5, "EUR");
        JsonPath first = post(event).statusCode(201).extract().jsonPath();
        JsonPath again = post(event).statusCode(200)
                .body("events[0].status", equalTo("duplicate"))
                .extract().jsonPath();
        assertThat(again.getLong("t")).isEqualTo(first.getLong("t"));
        assertThat(again.getString("txInstant")).isEqualTo(first.getString("txInstant"));
        assertThat(again.getLong("events[0].t")).isEqualTo(first.getLong("t"));
    }

    @Test
    void duplicateAmountWrittenDifferentlyIsStillADuplicate() {
        Map<String, Object> event = price(sku("idem-scale"), new BigDecimal("5.0"), "EUR");
        post(event).statusCode(201);
        post(with(event, "amount", new BigDecimal("5.00"))).statusCode(200);
    }

    @Test
    void repeatedIdWithDifferentContentIs422AndChangesNothing() {
        String sku = sku("idem-conflict");
        Map<String, Object> event = price(sku, 5, "EUR");
        post(event).statusCode(201);
        post(with(event, "amount", 6)).statusCode(422)
                .contentType("application/problem+json")
                .body("detail", containsString(event.get("id").toString()));
        given().get("/prices/{sku}", sku).then().body("amount", equalTo(5));
    }

    @Test
    void requestMixingNewAndDuplicateEventsIs201() {
        Map<String, Object> old = price(sku("mix"), 1, "EUR");
        long t = post(old).statusCode(201).extract().jsonPath().getLong("t");
        Map<String, Object> fresh = price(sku("mix"), 2, "EUR");
        post(List.of(old, fresh)).statusCode(201)
                .body("events[0].status", equalTo("duplicate"))
                .body("events[0].t", equalTo((int) t))
                .body("events[1].status", equalTo("created"))
                .body("events[1].t", greaterThan((int) t));
    }

    @Test
    void requestFailingAfterAnEarlierTransactionTellsWhatWasRecorded() {
        Map<String, Object> recorded = price(sku("partial-old"), 1, "EUR");
        post(recorded).statusCode(201);
        String sku = sku("partial");
        String at = "2026-01-01T00:00:00Z";
        Map<String, Object> first = with(price(sku, 10, "EUR"), "effectiveAt", at);
        // A second version of the same entity waits for the next transaction, where its reused id fails it.
        Map<String, Object> reused = with(with(price(sku, 11, "EUR"), "effectiveAt", at), "id", recorded.get("id"));
        JsonPath body = post(List.of(first, reused)).statusCode(422).contentType("application/problem+json")
                .body("title", equalTo("Partly recorded"))
                .body("detail", containsString("1 of 2"))
                .extract().jsonPath();
        assertThat(body.getList("events.status")).containsExactly("created", "failed");
        assertThat(body.getString("events[1].reason")).contains("already recorded");
        long t = body.getLong("events[0].t");
        given().get("/prices/{sku}", sku).then().body("amount", equalTo(10)).body("t", equalTo((int) t));
        // Sent again with the same ids: the recorded event answers its t, the other fails again, nothing new.
        post(List.of(first, reused)).statusCode(422).body("events[0].status", equalTo("duplicate"))
                .body("events[0].t", equalTo((int) t));
    }

    @Test
    void requestThatFailsInItsOnlyTransactionRecordsNothingAndSaysSo() {
        Map<String, Object> recorded = price(sku("atomic-old"), 1, "EUR");
        post(recorded).statusCode(201);
        Map<String, Object> fresh = price(sku("atomic"), 2, "EUR");
        Map<String, Object> reused = with(price(sku("atomic-2"), 3, "EUR"), "id", recorded.get("id"));
        JsonPath body = post(List.of(fresh, reused)).statusCode(422).extract().jsonPath();
        assertThat(body.getList("events.status")).containsExactly("failed", "failed");
        assertThat(body.getString("events[0].reason")).contains("not recorded");
        given().get("/prices/{sku}", fresh.get("sku")).then().statusCode(404);
    }

    @Test
    void sameEntityTwiceInOneBurstKeepsBothVersions() {
        String sku = sku("burst");
        String at = "2026-01-01T00:00:00Z";
        Map<String, Object> first = with(price(sku, 10, "EUR"), "effectiveAt", at);
        Map<String, Object> second = with(price(sku, 11, "EUR"), "effectiveAt", at);
        JsonPath body = post(List.of(first, second)).statusCode(201).extract().jsonPath();
        long t1 = body.getLong("events[0].t");
        long t2 = body.getLong("events[1].t");
        assertThat(t2).as("the batch is cut between the two versions").isGreaterThan(t1);

        given().get("/tx/{t}", t1).then().statusCode(200)
                .body("changes.findAll { it.attribute == 'amount' }.value", equalTo(List.of(10)));
        given().get("/tx/{t}", t2).then().statusCode(200)
                .body("changes.findAll { it.attribute == 'amount' && it.op == 'assert' }.value", equalTo(List.of(11)))
                .body("changes.findAll { it.attribute == 'amount' && it.op == 'retract' }.value", equalTo(List.of(10)));
        given().get("/prices/{sku}", sku).then().body("amount", equalTo(11));
    }

    @Test
    void otherEntitiesStillShareTheTransactionOfAHotOne() {
        String hot = sku("hot");
        String at = "2026-01-01T00:00:00Z";
        Map<String, Object> first = with(price(hot, 1, "EUR"), "effectiveAt", at);
        Map<String, Object> second = with(price(hot, 2, "EUR"), "effectiveAt", at);
        Map<String, Object> other = price(sku("cold"), 3, "EUR");
        JsonPath body = post(List.of(first, second, other)).statusCode(201).extract().jsonPath();
        assertThat(body.getLong("events[2].t")).as("the cold SKU rides with the first version")
                .isEqualTo(body.getLong("events[0].t"));
        assertThat(body.getLong("events[1].t")).as("the second version waits for the next transaction")
                .isGreaterThan(body.getLong("events[0].t"));
        given().get("/prices/{sku}", hot).then().body("amount", equalTo(2));
    }

    @Test
    void scheduledPriceIsNotYetInForce() {
        String sku = sku("sched");
        post(price(sku, 1, "EUR")).statusCode(201);
        post(with(price(sku, 2, "EUR"), "effectiveAt", "2999-01-01T00:00:00Z")).statusCode(201);
        given().get("/prices/{sku}", sku).then().body("amount", equalTo(1));
    }

    @Test
    void unknownSkuIs404Problem() {
        given().get("/prices/{sku}", sku("none")).then().statusCode(404)
                .contentType("application/problem+json");
    }

    @Test
    void customerFieldsAreSetAndNullRetracts() {
        String id = "cust-" + UUID.randomUUID();
        Map<String, Object> create = customer(id);
        create.put("name", "Ada Lovelace");
        create.put("email", "ada@example.com");
        create.put("tier", "gold");
        create.put("country", "GB");
        create.put("city", "London");
        post(create).statusCode(201);
        given().get("/customers/{id}", id).then().statusCode(200)
                .body("name", equalTo("Ada Lovelace"))
                .body("city", equalTo("London"))
                .body("tier", equalTo("gold"));

        Map<String, Object> update = customer(id);
        update.put("city", null);
        update.put("tier", "platinum");
        long t = post(update).statusCode(201).extract().jsonPath().getLong("t");
        given().get("/customers/{id}", id).then().statusCode(200)
                .body("$", not(hasKey("city")))
                .body("tier", equalTo("platinum"))
                .body("name", equalTo("Ada Lovelace"))
                .body("t", equalTo((int) t));
        given().get("/tx/{t}", t).then()
                .body("changes.findAll { it.attribute == 'city' }.op", equalTo(List.of("retract")))
                .body("changes.entity.customerId", everyItem(equalTo(id)));
    }

    @Test
    void deletedCustomerIs404() {
        String id = "gone-" + UUID.randomUUID();
        given().get("/customers/{id}", id).then().statusCode(404);
        post(with(customer(id), "name", "Temp")).statusCode(201);
        given().get("/customers/{id}", id).then().statusCode(200);
        long t = post(with(customer(id), "deleted", true)).statusCode(201).extract().jsonPath().getLong("t");
        given().get("/customers/{id}", id).then().statusCode(404).contentType("application/problem+json");
        given().get("/tx/{t}", t).then()
                .body("changes.op", everyItem(equalTo("retract")))
                .body("changes.attribute", containsInAnyOrder("id", "name"))
                .body("changes.entity.customerId", everyItem(equalTo(id)));
    }

    @Test
    void respondAsyncAnswers202OnceQueued() {
        String sku = sku("async");
        Map<String, Object> event = price(sku, 3, "EUR");
        given().contentType("application/json").header("Prefer", "respond-async").body(event)
                .post("/events").then().statusCode(202)
                .header("Preference-Applied", "respond-async")
                .body("events[0].id", equalTo(event.get("id")))
                .body("events[0].status", equalTo("queued"));
        // Committed shortly after; a repeat then reports it as a duplicate.
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).untilAsserted(() ->
                given().get("/prices/{sku}", sku).then().statusCode(200));
        post(event).statusCode(200);
    }

    @Test
    void transactionRecordsEventIdsAndSources() {
        Map<String, Object> a = with(price(sku("tx"), 1, "EUR"), "source", "erp");
        Map<String, Object> b = with(with(customer("tx-" + UUID.randomUUID()), "name", "B"), "source", "crm");
        long t = post(List.of(a, b)).statusCode(201).extract().jsonPath().getLong("t");
        given().get("/tx/{t}", t).then().statusCode(200)
                .body("t", equalTo((int) t))
                .body("txInstant", notNullValue())
                .body("events.id", containsInAnyOrder(a.get("id"), b.get("id")))
                .body("events.type", containsInAnyOrder("price", "customer"))
                .body("sources", containsInAnyOrder("erp", "crm"))
                .body("changes.findAll { it.attribute == 'amount' }[0].entity.sku", equalTo(a.get("sku")))
                .body("changes.attribute", hasItem("name"));
        given().get("/tx/{t}", 999_999_999).then().statusCode(400); // past the basis: a position of no point here
        given().get("/tx/{t}", 0).then().statusCode(404);
    }
}
