package dev.asof.prices;

import static dev.asof.support.Events.post;
import static dev.asof.support.Events.postNdjson;
import static dev.asof.support.Events.price;
import static dev.asof.support.Events.sku;
import static dev.asof.support.Events.with;
import static dev.asof.support.Events.without;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;

import io.quarkus.test.junit.QuarkusTest;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Issue 21's three stories, end to end through HTTP: a promotion with an end, a SKU that is
 * discontinued, and a version sent with a mistyped valid time, withdrawn; and the rule a later
 * price inside a period follows (the README's worked example).
 */
@QuarkusTest
class ValidPeriodsTest {
    private static final String JAN = "2026-01-01T00:00:00Z";
    private static final String NOV27 = "2026-11-27T00:00:00Z";
    private static final String NOV30 = "2026-11-30T00:00:00Z";
    private static final String DEC2 = "2026-12-02T00:00:00Z";

    private static long send(Map<String, Object> event) {
        return post(event).statusCode(201).extract().jsonPath().getLong("t");
    }

    private static Map<String, Object> at(String sku, Object amount, String effectiveAt) {
        return with(price(sku, amount, "EUR"), "effectiveAt", effectiveAt);
    }

    private static Map<String, Object> period(String sku, Object amount, String from, String until) {
        return with(at(sku, amount, from), "effectiveUntil", until);
    }

    private static Map<String, Object> end(String sku, String from) {
        return with(with(without(without(price(sku, 1, "EUR"), "amount"), "currency"), "effectiveAt", from), "ended", true);
    }

    private static Map<String, Object> withdrawal(String sku, String at) {
        return with(with(without(without(price(sku, 1, "EUR"), "amount"), "currency"), "effectiveAt", at), "withdrawn",
                true);
    }

    private static float amountAt(String sku, String validAt) {
        return given().get("/prices/{sku}?validAt={v}", sku, validAt).then().statusCode(200).extract().jsonPath()
                .getFloat("amount");
    }

    @Test
    void aPromotionWithAnEndGivesBackTheRegularPriceAfterIt() {
        String sku = sku("promo");
        send(at(sku, 12, JAN));
        long promo = send(period(sku, "9.99", NOV27, DEC2));
        assertThat(amountAt(sku, "2026-11-26T23:59:59.999Z")).isEqualTo(12f);
        given().get("/prices/{sku}?validAt={v}", sku, NOV27).then().statusCode(200)
                .body("amount", equalTo(9.99f)).body("effectiveAt", equalTo(NOV27))
                .body("effectiveUntil", equalTo(DEC2)).body("t", equalTo((int) promo));
        assertThat(amountAt(sku, "2026-12-01T23:59:59.999Z")).isEqualTo(9.99f);
        given().get("/prices/{sku}?validAt={v}", sku, DEC2).then().statusCode(200)
                .body("amount", equalTo(12)).body("effectiveAt", equalTo(JAN)).body("effectiveUntil", nullValue());
        // As known before the promotion was recorded, there was none.
        given().get("/prices/{sku}?asOf={t}&validAt={v}", sku, promo - 1, NOV30).then().body("amount", equalTo(12));
        // The listing agrees with the point read.
        given().get("/prices?prefix={p}&validAt={v}", sku, NOV30).then().statusCode(200)
                .body("items[0].amount", equalTo(9.99f)).body("items[0].effectiveUntil", equalTo(DEC2));
    }

    /** The README's worked example: a regular change recorded later that starts inside the promotion. */
    @Test
    void aRegularChangeRecordedLaterInsideAPromotionTakesOverWhenThePromotionEnds() {
        String sku = sku("under");
        send(at(sku, 12, JAN));
        send(period(sku, "9.99", NOV27, DEC2));
        long later = send(at(sku, 13, NOV30));
        assertThat(amountAt(sku, "2026-11-29T12:00:00Z")).isEqualTo(9.99f);
        assertThat(amountAt(sku, "2026-12-01T12:00:00Z")).as("the promotion still holds").isEqualTo(9.99f);
        given().get("/prices/{sku}?validAt={v}", sku, DEC2).then()
                .body("amount", equalTo(13)).body("effectiveAt", equalTo(NOV30)).body("t", equalTo((int) later));
        // A promotion sent again with an earlier end is a correction of the same period.
        post(List.of(period(sku, "9.99", NOV27, NOV30))).statusCode(201); // as a JSON array, too
        assertThat(amountAt(sku, "2026-12-01T12:00:00Z")).isEqualTo(13f);
    }

    @Test
    void aFlashSaleInsideAWeeksPromotionHoldsForItsHoursAndTheWeeksResumes() {
        String sku = sku("nested");
        send(at(sku, 20, JAN));
        send(period(sku, 8, "2026-11-28T10:00:00Z", "2026-11-28T14:00:00Z")); // recorded first
        send(period(sku, 15, NOV27, DEC2));
        assertThat(amountAt(sku, "2026-11-28T09:00:00Z")).isEqualTo(15f);
        assertThat(amountAt(sku, "2026-11-28T11:00:00Z")).isEqualTo(8f);
        assertThat(amountAt(sku, "2026-11-28T14:00:00Z")).isEqualTo(15f);
        assertThat(amountAt(sku, DEC2)).isEqualTo(20f);
    }

    @Test
    void aDiscontinuedSkuHasNoPriceFromItsEndAndALaterVersionStartsOneAgain() {
        String sku = sku("delist");
        send(at(sku, 12, JAN));
        UUID endId = UUID.randomUUID();
        long ended = send(with(end(sku, "2027-01-01T00:00:00Z"), "id", endId.toString()));
        assertThat(amountAt(sku, "2026-12-31T23:59:59.999Z")).isEqualTo(12f);
        given().get("/prices/{sku}?validAt={v}", sku, "2027-06-01T00:00:00Z").then().statusCode(404)
                .contentType("application/problem+json").body("title", equalTo("Price ended"))
                .body("detail", containsString("from 2027-01-01T00:00:00Z"))
                .body("detail", containsString(endId.toString())).body("detail", containsString("t=" + ended));
        List<String> listed = given().get("/prices?prefix={p}&validAt={v}", sku, "2027-06-01T00:00:00Z").then()
                .statusCode(200).extract().jsonPath().getList("items.sku");
        assertThat(listed).doesNotContain(sku);
        // Withdrawn from sale for a period: a gap, then the price again.
        send(with(end(sku, "2026-03-01T00:00:00Z"), "effectiveUntil", "2026-04-01T00:00:00Z"));
        given().get("/prices/{sku}?validAt={v}", sku, "2026-03-15T00:00:00Z").then().statusCode(404)
                .body("title", equalTo("Price ended")).body("detail", containsString("until 2026-04-01T00:00:00Z"));
        assertThat(amountAt(sku, "2026-04-01T00:00:00Z")).isEqualTo(12f);
        // A later version starts a price again.
        send(at(sku, 14, "2027-03-01T00:00:00Z"));
        assertThat(amountAt(sku, "2027-03-01T00:00:00Z")).isEqualTo(14f);
        given().get("/prices/{sku}?validAt={v}", sku, "2027-02-01T00:00:00Z").then().statusCode(404);
    }

    @Test
    void aDelistingEndsAPromotionRunningWhenItStartsAndALaterPeriodOrPriceStartsAPriceAgain() {
        String sku = sku("delist-promo");
        send(at(sku, 12, JAN));
        send(period(sku, "9.99", "2026-12-20T00:00:00Z", "2027-01-10T00:00:00Z"));
        send(end(sku, "2027-01-01T00:00:00Z"));
        assertThat(amountAt(sku, "2026-12-31T00:00:00Z")).isEqualTo(9.99f);
        given().get("/prices/{sku}?validAt={v}", sku, "2027-01-05T00:00:00Z").then().statusCode(404)
                .body("title", equalTo("Price ended"));
        List<String> listed = given().get("/prices?prefix={p}&validAt={v}", sku, "2027-01-05T00:00:00Z").then()
                .extract().jsonPath().getList("items.sku");
        assertThat(listed).doesNotContain(sku);
        // A period after the delisting is a price for its time; a price after it, a price from then on.
        send(period(sku, 5, "2027-02-01T00:00:00Z", "2027-02-05T00:00:00Z"));
        assertThat(amountAt(sku, "2027-02-02T00:00:00Z")).isEqualTo(5f);
        given().get("/prices/{sku}?validAt={v}", sku, "2027-02-05T00:00:00Z").then().statusCode(404);
        send(at(sku, 14, "2027-01-07T00:00:00Z"));
        assertThat(amountAt(sku, "2027-01-08T00:00:00Z")).as("the promotion does not come back").isEqualTo(14f);
        assertThat(amountAt(sku, "2027-02-02T00:00:00Z")).isEqualTo(5f);
    }

    @Test
    void aVersionWithAMistypedValidTimeIsWithdrawnAndEarlierAnswersStillShowIt() {
        String sku = sku("typo");
        send(at(sku, 12, JAN));
        long typo = send(at(sku, 99, "2062-03-01T00:00:00Z"));
        send(with(at(sku, 98, "2062-03-01T00:00:00Z"), "source", "corrected")); // a correction of it
        assertThat(amountAt(sku, "2062-06-01T00:00:00Z")).isEqualTo(98f);
        long withdrawn = send(withdrawal(sku, "2062-03-01T00:00:00Z"));
        given().get("/prices/{sku}?validAt={v}", sku, "2062-06-01T00:00:00Z").then().statusCode(200)
                .body("amount", equalTo(12)).body("effectiveAt", equalTo(JAN));
        // Nothing recorded is lost: as known before the withdrawal, the version is there.
        given().get("/prices/{sku}?asOf={t}&validAt={v}", sku, withdrawn - 1, "2062-06-01T00:00:00Z").then()
                .statusCode(200).body("amount", equalTo(98));
        given().get("/prices/{sku}?asOf={t}&validAt={v}", sku, typo, "2062-06-01T00:00:00Z").then()
                .body("amount", equalTo(99));
        // History tells the withdrawal with what it withdrew.
        List<Map<String, Object>> items = given().get("/prices/{sku}/history", sku).then().statusCode(200)
                .extract().jsonPath().getList("items");
        Map<String, Object> last = items.get(items.size() - 1);
        assertThat(last).containsEntry("op", "withdraw").containsEntry("effectiveAt", "2062-03-01T00:00:00Z")
                .containsEntry("t", (int) withdrawn);
        assertThat(((Number) last.get("amount")).intValue()).isEqualTo(98);
        // Withdrawing it again, or a version never sent, is a 422 naming it; nothing is recorded.
        given().contentType("application/json").body(withdrawal(sku, "2062-03-01T00:00:00Z")).post("/events").then()
                .statusCode(422).contentType("application/problem+json").body("title", equalTo("Nothing to withdraw"))
                .body("detail", containsString(sku)).body("detail", containsString("2062-03-01T00:00:00Z"));
        given().contentType("application/json").body(withdrawal(sku, "2030-01-01T00:00:00Z")).post("/events").then()
                .statusCode(422);
        // Sent again for that instant, a version is there again.
        send(at(sku, 11, "2062-03-01T00:00:00Z"));
        assertThat(amountAt(sku, "2062-06-01T00:00:00Z")).isEqualTo(11f);
    }

    @Test
    void aPeriodAnEndAndAWithdrawalOfOneSkuInOneRequestStayInOrder() {
        String sku = sku("order");
        String body = String.join("\n",
                "{\"type\":\"price\",\"sku\":\"" + sku + "\",\"amount\":10,\"currency\":\"EUR\",\"effectiveAt\":\"" + JAN + "\"}",
                "{\"type\":\"price\",\"sku\":\"" + sku + "\",\"amount\":5,\"currency\":\"EUR\",\"effectiveAt\":\"" + NOV27
                        + "\",\"effectiveUntil\":\"" + DEC2 + "\"}",
                "{\"type\":\"price\",\"sku\":\"" + sku + "\",\"ended\":true,\"effectiveAt\":\"" + NOV27 + "\"}",
                "{\"type\":\"price\",\"sku\":\"" + sku + "\",\"withdrawn\":true,\"effectiveAt\":\"" + NOV27 + "\"}",
                "{\"type\":\"price\",\"sku\":\"" + sku + "\",\"ended\":true,\"effectiveAt\":\"" + DEC2 + "\"}") + "\n";
        postNdjson(body).statusCode(201);
        assertThat(amountAt(sku, NOV30)).as("the period, then the end at its start, were withdrawn").isEqualTo(10f);
        given().get("/prices/{sku}?validAt={v}", sku, DEC2).then().statusCode(404).body("title", equalTo("Price ended"));
        // Each version's events in the order sent (other versions' may ride in earlier transactions).
        List<String> ops = given().get("/prices/{sku}/history", sku).then().extract().jsonPath()
                .getList("items.findAll { it.effectiveAt == '" + NOV27 + "' }.op");
        assertThat(ops).containsExactly("assert", "retract", "assert", "withdraw");
        List<Object> ends = given().get("/prices/{sku}/history", sku).then().extract().jsonPath()
                .getList("items.findAll { it.effectiveAt == '" + NOV27 + "' }.ended");
        assertThat(ends).containsExactly(null, null, true, true);
    }

    @Test
    void aPeriodEndingChangesTheNowAnswerAndItsETagWithoutATransaction() throws Exception {
        String sku = sku("period-etag");
        send(at(sku, 1, java.time.Instant.now().minusSeconds(3600).toString()));
        java.time.Instant due = java.time.Instant.now().plusMillis(1500);
        send(period(sku, 2, java.time.Instant.now().minusSeconds(60).toString(), due.toString()));
        io.restassured.response.Response before = given().get("/prices/{sku}", sku);
        before.then().statusCode(200).body("amount", equalTo(2));
        String tag = before.header("ETag");
        given().header("If-None-Match", tag).get("/prices/{sku}", sku).then().statusCode(304);
        Thread.sleep(Math.max(0, due.toEpochMilli() - System.currentTimeMillis()) + 200);
        given().header("If-None-Match", tag).get("/prices/{sku}", sku).then().statusCode(200).body("amount", equalTo(1));
    }

    @Test
    void theOpenApiSchemaDescribesTheNewFieldsWithExamples() {
        String doc = given().get("/q/openapi?format=json").then().statusCode(200).extract().asString();
        assertThat(doc).contains("effectiveUntil", "\"ended\"", "\"withdrawn\"", "2026-12-02T00:00:00Z",
                "2062-03-01T00:00:00Z");
        assertThat(doc).contains("Price ended", "Nothing to withdraw");
        Map<String, Object> fields = io.restassured.path.json.JsonPath.from(doc)
                .getMap("components.schemas.PriceEvent.properties");
        assertThat(fields.keySet()).as("the fields an event may carry, and no others")
                .containsExactlyInAnyOrder("id", "sku", "amount", "currency", "effectiveAt", "effectiveUntil", "ended",
                        "withdrawn", "source");
    }

    @Test
    void theTransactionAndTheChangePageTellAPeriodAndAWithdrawal() {
        String sku = sku("tx");
        long t = send(period(sku, 5, NOV27, DEC2));
        given().get("/tx/{t}", t).then().statusCode(200)
                .body("changes.find { it.attribute == 'effectiveUntil' }.value", equalTo(DEC2))
                .body("changes.attribute", not(hasItem("period")));
        long w = send(withdrawal(sku, NOV27));
        given().get("/tx/{t}", w).then().statusCode(200)
                .body("changes.op", org.hamcrest.Matchers.everyItem(equalTo("retract")))
                .body("changes.attribute", hasItem("effectiveUntil")).body("changes.attribute", hasItem("amount"));
        long e = send(end(sku, DEC2));
        given().get("/changes?after={t}", e - 1).then().statusCode(200)
                .body("items[0].changes.find { it.attribute == 'ended' }.value", equalTo(true));
    }

    @Test
    void theShapesOfTheFourKindsAreChecked() {
        String sku = sku("shape");
        List.of(
                with(end(sku, JAN), "amount", 5),
                with(withdrawal(sku, JAN), "currency", "EUR"),
                without(withdrawal(sku, JAN), "effectiveAt"),
                with(withdrawal(sku, JAN), "effectiveUntil", DEC2),
                with(end(sku, JAN), "withdrawn", true),
                period(sku, 5, DEC2, NOV27),
                period(sku, 5, NOV27, NOV27),
                with(at(sku, 5, NOV27), "effectiveUntil", "2026-13-01T00:00:00Z"),
                with(at(sku, 5, NOV27), "ended", "yes"),
                without(price(sku, 5, "EUR"), "amount"))
                .forEach(event -> given().contentType("application/json").body(event).post("/events").then()
                        .statusCode(400).contentType("application/problem+json")
                        .body("errors.field", not(hasItem(nullValue()))));
        given().get("/prices/{sku}", sku).then().statusCode(404);
    }

    @Test
    void theSameEndSentAgainIsADuplicateAndOtherContentUnderItsIdIsAConflict() {
        String sku = sku("idem");
        UUID id = UUID.randomUUID();
        Map<String, Object> endPeriod = with(with(end(sku, NOV27), "effectiveUntil", DEC2), "id", id.toString());
        long t = send(endPeriod);
        post(endPeriod).statusCode(200).body("events[0].status", equalTo("duplicate")).body("events[0].t", equalTo((int) t));
        given().contentType("application/json").body(with(endPeriod, "effectiveUntil", "2026-12-03T00:00:00Z"))
                .post("/events").then().statusCode(422);
    }
}
