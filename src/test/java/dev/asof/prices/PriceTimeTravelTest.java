package dev.asof.prices;

import static dev.asof.support.Events.post;
import static dev.asof.support.Events.price;
import static dev.asof.support.Events.sku;
import static dev.asof.support.Events.with;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;

import datomic.Connection;
import datomic.Database;
import datomic.Util;
import dev.asof.datomic.Attr;
import dev.asof.datomic.DatomicStore;
import dev.asof.datomic.PriceKeys;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Prices in system time (asOf) and valid time (validAt), history, listing, and caching. */
@QuarkusTest
class PriceTimeTravelTest {
    @Inject
    DatomicStore store;
    private static final String JUNE = "2026-06-01T00:00:00Z";
    private static final String JULY = "2026-07-01T00:00:00Z";

    private static long postPrice(String sku, Object amount, String effectiveAt) {
        Map<String, Object> event = price(sku, amount, "EUR");
        if (effectiveAt != null) {
            event = with(event, "effectiveAt", effectiveAt);
        }
        return post(event).statusCode(201).extract().jsonPath().getLong("t");
    }

    @Test
    void asOfATBeforeAChangeAnswersTheOldPrice() {
        String sku = sku("asof");
        long t1 = postPrice(sku, 10, null);
        long t2 = postPrice(sku, 12, null);
        given().get("/prices/{sku}?asOf={t}", sku, t1).then().statusCode(200)
                .body("amount", equalTo(10)).body("t", equalTo((int) t1)).body("basisT", equalTo((int) t1));
        given().get("/prices/{sku}?asOf={t}", sku, t2).then().body("amount", equalTo(12));
        given().get("/prices/{sku}?asOf={t}", sku, t1 - 1).then().statusCode(404)
                .contentType("application/problem+json");
    }

    @Test
    void asOfAnInstantResolvesToTheTransactionsBeforeIt() throws Exception {
        String sku = sku("instant");
        long t1 = postPrice(sku, 10, null);
        String between = given().get("/tx/{t}", t1).then().extract().jsonPath().getString("txInstant");
        Thread.sleep(5);
        postPrice(sku, 12, null);
        given().get("/prices/{sku}?asOf={i}", sku, between).then().statusCode(200)
                .body("amount", equalTo(10)).body("basisT", equalTo((int) t1));
    }

    @Test
    void correctionForAPastValidTimeKeepsTheOldAnswerAsOfBeforeIt() {
        String sku = sku("correct");
        long t1 = postPrice(sku, 10, JUNE);
        long t2 = postPrice(sku, 11, JUNE); // same valid time: a correction
        given().get("/prices/{sku}?asOf={t}&validAt={v}", sku, t1, JULY).then().body("amount", equalTo(10));
        given().get("/prices/{sku}?asOf={t}&validAt={v}", sku, t2, JULY).then().body("amount", equalTo(11))
                .body("effectiveAt", equalTo(JUNE)).body("validAt", equalTo(JULY));
        given().get("/prices/{sku}?validAt={v}", sku, "2026-05-31T23:59:59.999Z").then().statusCode(404);
    }

    @Test
    void lateArrivingPriceChangesThePastOnlyFromItsArrival() {
        String sku = sku("late");
        long t1 = postPrice(sku, 10, JUNE);
        long t2 = postPrice(sku, 15, "2026-06-15T00:00:00Z"); // recorded later, valid earlier than July
        given().get("/prices/{sku}?asOf={t}&validAt={v}", sku, t1, JULY).then().body("amount", equalTo(10));
        given().get("/prices/{sku}?asOf={t}&validAt={v}", sku, t2, JULY).then().body("amount", equalTo(15));
        given().get("/prices/{sku}?asOf={t}&validAt={v}", sku, t2, "2026-06-10T00:00:00Z").then().body("amount", equalTo(10));
    }

    @Test
    void scheduledPriceIsInForceFromItsEffectiveAt() {
        String sku = sku("future");
        postPrice(sku, 10, JUNE);
        postPrice(sku, 99, "2999-01-01T00:00:00Z");
        given().get("/prices/{sku}", sku).then().body("amount", equalTo(10));
        given().get("/prices/{sku}?validAt=2999-01-01T00:00:00Z", sku).then().body("amount", equalTo(99));
    }

    @Test
    void validAtDefaultsToTheInstantOfAsOf() {
        String sku = sku("default-valid");
        long t1 = postPrice(sku, 10, null);
        JsonPath body = given().get("/prices/{sku}?asOf={t}", sku, t1).then().extract().jsonPath();
        assertThat(body.getString("validAt")).isEqualTo(body.getString("asOf"));
        assertThat(body.getString("asOf")).isEqualTo(body.getString("txInstant"));
    }

    @Test
    void badTimesAre400sNamingTheParameter() {
        String sku = sku("bad");
        postPrice(sku, 1, null);
        given().get("/prices/{sku}?asOf=yesterday", sku).then().statusCode(400)
                .contentType("application/problem+json")
                .body("detail", containsString("asOf")).body("detail", containsString("RFC 3339"));
        given().get("/prices/{sku}?validAt=12:00", sku).then().statusCode(400).body("detail", containsString("validAt"));
        given().get("/prices/{sku}?asOf=999999999999", sku).then().statusCode(400)
                .body("detail", containsString("basis"));
        given().get("/prices/{sku}?asOf=2999-01-01T00:00:00Z", sku).then().statusCode(400)
                .body("detail", containsString("basis"));
    }

    @Test
    void settledAnswersAreImmutableAndNowAnswersRevalidate() {
        String sku = sku("cache");
        long t1 = postPrice(sku, 10, null);
        Response settled = given().get("/prices/{sku}?asOf={t}", sku, t1);
        settled.then().statusCode(200)
                .header("Cache-Control", containsString("immutable"))
                .header("Cache-Control", containsString("max-age=31536000"))
                .header("ETag", notNullValue());
        String tag = settled.header("ETag");
        assertThat(tag).doesNotStartWith("W/");
        given().header("If-None-Match", tag).get("/prices/{sku}?asOf={t}", sku, t1).then().statusCode(304);

        Response now = given().get("/prices/{sku}", sku);
        now.then().statusCode(200).header("Cache-Control", nullValue());
        String nowTag = now.header("ETag");
        given().header("If-None-Match", nowTag).get("/prices/{sku}", sku).then().statusCode(304);
        postPrice(sku("other"), 1, null); // the basis moves on
        given().header("If-None-Match", nowTag).get("/prices/{sku}", sku).then().statusCode(200);
    }

    @Test
    void scheduledPriceComingIntoForceChangesTheNowETag() throws Exception {
        String sku = sku("scheduled-etag");
        postPrice(sku, 1, java.time.Instant.now().minusSeconds(3600).toString());
        java.time.Instant due = java.time.Instant.now().plusMillis(1500);
        postPrice(sku, 2, due.toString());
        Response before = given().get("/prices/{sku}", sku);
        before.then().statusCode(200).body("amount", equalTo(1));
        String tag = before.header("ETag");
        given().header("If-None-Match", tag).get("/prices/{sku}", sku).then().statusCode(304);
        Thread.sleep(Math.max(0, due.toEpochMilli() - System.currentTimeMillis()) + 200);
        // No transaction since, but the answer changed: the old tag must not match.
        given().header("If-None-Match", tag).get("/prices/{sku}", sku).then().statusCode(200).body("amount", equalTo(2));
    }

    @Test
    void instantsOutsideYears1To9999Are400sNamingTheField() {
        String sku = sku("edge");
        postPrice(sku, 1, null);
        for (String[] bad : new String[][] {
                {"validAt", "+999999999-12-31T23:59:59Z"}, {"asOf", "-999999999-01-01T00:00:00Z"},
                {"validAt", "+40000-01-01T00:00:00Z"}, {"validAt", "0000-12-31T23:59:59Z"},
                {"asOf", "+10000-01-01T00:00:00Z"}}) {
            given().queryParam(bad[0], bad[1]).get("/prices/{sku}", sku).then().statusCode(400)
                    .contentType("application/problem+json").body("detail", containsString(bad[0]))
                    .body("errors[0].field", equalTo(bad[0]));
        }
        for (String bound : List.of("from", "to")) {
            given().queryParam(bound, "+999999999-12-31T23:59:59Z").get("/prices/{sku}/history", sku).then()
                    .statusCode(400).body("errors[0].field", equalTo(bound));
        }
        post(with(price(sku, 1, "EUR"), "effectiveAt", "+10000-01-01T00:00:00Z")).statusCode(400)
                .body("errors[0].field", equalTo("effectiveAt"));
    }

    @Test
    void everyValidTimeFromYear1To9999SortsCorrectly() {
        String sku = sku("ages");
        postPrice(sku, 1, "0001-01-01T00:00:00Z");
        postPrice(sku, 1950, "1950-01-01T00:00:00Z");
        postPrice(sku, 1960, "1960-01-01T00:00:00Z");
        postPrice(sku, 2026, "2026-01-01T00:00:00Z");
        postPrice(sku, 9999, "9999-12-31T00:00:00Z");
        Map<String, Integer> expected = new java.util.LinkedHashMap<>();
        expected.put("0001-06-01T00:00:00Z", 1);
        expected.put("1955-01-01T00:00:00Z", 1950);
        expected.put("1969-12-31T23:59:59Z", 1960);
        expected.put("1970-01-01T00:00:00Z", 1960);
        expected.put("2030-01-01T00:00:00Z", 2026);
        expected.put("9999-12-31T23:59:59.999Z", 9999);
        expected.forEach((validAt, amount) -> given().queryParam("validAt", validAt).get("/prices/{sku}", sku)
                .then().statusCode(200).body("amount", equalTo(amount)));
    }

    @Test
    void historyPagesWalkTheSameChangesForwardsAndBackwardsFromAnyCursor() {
        String sku = sku("pages");
        List<String> validTimes = List.of("1960-01-01T00:00:00Z", "2026-01-01T00:00:00Z", "2026-02-01T00:00:00Z");
        for (int i = 0; i < 60; i++) {
            postPrice(sku, i, validTimes.get(i % 3));
        }
        List<String> asc = walk(sku, "asc", 7);
        List<String> desc = walk(sku, "desc", 5);
        assertThat(asc).hasSize(60 + 57); // every assertion, and a retraction for each correction
        assertThat(asc).doesNotHaveDuplicates();
        List<String> reversed = new ArrayList<>(desc);
        java.util.Collections.reverse(reversed);
        assertThat(reversed).isEqualTo(asc);
        assertThat(walk(sku, "asc", 1000)).isEqualTo(asc);
        // Bounds: from a t (inclusive) to a t (exclusive), in both orders.
        long from = Long.parseLong(asc.get(20).split(" ")[0]);
        long to = Long.parseLong(asc.get(80).split(" ")[0]);
        List<String> bounded = given().get("/prices/{sku}/history?from={f}&to={t}&limit=1000", sku, from, to).then()
                .statusCode(200).extract().jsonPath().getList("items.t", Long.class).stream().map(String::valueOf).toList();
        assertThat(bounded).isNotEmpty().allMatch(t -> Long.parseLong(t) >= from && Long.parseLong(t) < to);
    }

    @Test
    void historyPagesCutInsideATransactionThatHoldsManyVersionsInTheOrderTheyWereSent() {
        String sku = sku("bulk");
        StringBuilder ndjson = new StringBuilder();
        List<String> sent = new ArrayList<>();
        for (int i = 0; i < 250; i++) {
            // Valid times out of order: within a transaction the history lists events as they were sent.
            String effectiveAt = java.time.Instant.parse("2026-01-01T00:00:00Z").plusSeconds(((i * 37L) % 250) * 60).toString();
            sent.add(effectiveAt + " " + i);
            ndjson.append("{\"type\":\"price\",\"sku\":\"").append(sku).append("\",\"amount\":").append(i)
                    .append(",\"currency\":\"EUR\",\"effectiveAt\":\"").append(effectiveAt).append("\"}\n");
        }
        long t = given().contentType("application/x-ndjson").body(ndjson.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8)).post("/events").then()
                .statusCode(201).extract().jsonPath().getLong("t");
        List<String> asc = walk(sku, "asc", 7);
        assertThat(asc).hasSize(250).allMatch(item -> item.startsWith(t + " "), "one transaction");
        assertThat(asc.stream().map(item -> item.split(" ")[1] + " " + item.split(" ")[3]).toList()).isEqualTo(sent);
        List<String> desc = walk(sku, "desc", 9);
        java.util.Collections.reverse(desc);
        assertThat(desc).isEqualTo(asc);
    }

    /** Every item of a SKU's history, page by page: "t effectiveAt op amount". */
    private static List<String> walk(String sku, String order, int limit) {
        List<String> items = new ArrayList<>();
        String cursor = null;
        do {
            var request = given().queryParam("order", order).queryParam("limit", limit);
            if (cursor != null) {
                request.queryParam("cursor", cursor);
            }
            JsonPath page = request.get("/prices/{sku}/history", sku).then().statusCode(200).extract().jsonPath();
            List<Map<String, Object>> got = page.getList("items");
            for (Map<String, Object> item : got) {
                items.add(item.get("t") + " " + item.get("effectiveAt") + " " + item.get("op") + " " + item.get("amount"));
            }
            cursor = page.getString("next");
        } while (cursor != null);
        return items;
    }

    @Test
    void historyListsEveryAssertionAndRetractionWithItsEvent() {
        String sku = sku("hist");
        Map<String, Object> first = with(price(sku, 10, "EUR"), "effectiveAt", JUNE);
        long t1 = post(first).statusCode(201).extract().jsonPath().getLong("t");
        Map<String, Object> correction = with(price(sku, 11, "EUR"), "effectiveAt", JUNE);
        long t2 = post(correction).statusCode(201).extract().jsonPath().getLong("t");
        long t3 = postPrice(sku, 12, JULY);
        JsonPath history = given().get("/prices/{sku}/history", sku).then().statusCode(200).extract().jsonPath();
        assertThat(history.getList("items.t", Long.class)).containsExactly(t1, t2, t2, t3);
        assertThat(history.getList("items.op")).containsExactly("assert", "retract", "assert", "assert");
        assertThat(history.getList("items.amount", Integer.class)).containsExactly(10, 10, 11, 12);
        assertThat(history.getString("items[0].eventId")).isEqualTo(first.get("id"));
        assertThat(history.getString("items[2].eventId")).isEqualTo(correction.get("id"));
        assertThat(history.getString("items[1].currency")).isEqualTo("EUR");

        given().get("/prices/{sku}/history?order=desc", sku).then()
                .body("items.t[0]", equalTo((int) t3));
        given().get("/prices/{sku}/history?from={a}&to={b}", sku, t2, t3).then()
                .body("items.t", equalTo(List.of((int) t2, (int) t2)));
        given().get("/prices/{sku}/history?order=sideways", sku).then().statusCode(400);
        given().get("/prices/{sku}/history?limit=0", sku).then().statusCode(400);
        given().get("/prices/{sku}/history?cursor=garbage", sku).then().statusCode(400);
    }

    @Test
    void historyPagesLoseAndRepeatNothingWhileWritesContinue() {
        String sku = sku("pages");
        for (int i = 0; i < 25; i++) {
            postPrice(sku, i, "2026-01-01T00:00:" + String.format("%02d", i) + "Z");
        }
        List<Long> seen = new ArrayList<>();
        Set<String> keys = new HashSet<>();
        String cursor = null;
        int pages = 0;
        do {
            Response page = cursor == null ? given().get("/prices/{sku}/history?limit=7", sku)
                    : given().get("/prices/{sku}/history?limit=7&cursor={c}", sku, cursor);
            page.then().statusCode(200);
            JsonPath body = page.jsonPath();
            for (int i = 0; i < body.getList("items").size(); i++) {
                seen.add(body.getLong("items[" + i + "].t"));
                assertThat(keys.add(body.getString("items[" + i + "].t") + body.getString("items[" + i + "].effectiveAt")))
                        .as("no item repeated").isTrue();
            }
            cursor = body.getString("next");
            if (cursor != null) {
                assertThat(page.header("Link")).contains("rel=\"next\"").contains("cursor=");
                postPrice(sku, 100 + pages, "2026-02-01T00:00:" + String.format("%02d", pages) + "Z"); // writes go on
            }
            pages++;
        } while (cursor != null && pages < 20);
        assertThat(seen).isSorted();
        assertThat(seen.size()).isGreaterThanOrEqualTo(25 + pages - 1);
    }

    @Test
    void listOfPricesIsInSkuOrderAndPaginated() {
        String prefix = sku("list");
        long t = 0;
        for (int i = 0; i < 5; i++) {
            t = postPrice(prefix + "-" + i, i, JUNE);
        }
        List<String> skus = new ArrayList<>();
        String cursor = null;
        do {
            JsonPath page = (cursor == null ? given().get("/prices?asOf={t}&validAt={v}&limit=2", t, JULY)
                    : given().get("/prices?asOf={t}&validAt={v}&limit=2&cursor={c}", t, JULY, cursor))
                    .then().statusCode(200).extract().jsonPath();
            skus.addAll(page.getList("items.sku"));
            cursor = page.getString("next");
        } while (cursor != null);
        assertThat(skus).isSorted().doesNotHaveDuplicates();
        assertThat(skus).contains(prefix + "-0", prefix + "-4");
        given().get("/prices?asOf={t}&validAt={v}&limit=1000", t, JULY).then()
                .body("items.sku", hasItem(prefix + "-3"));
    }

    @Test
    void aPrefixListsOnlyTheSkusThatStartWithIt() {
        String prefix = sku("pre");
        long t = 0;
        for (String suffix : List.of("-b", "-a", "-c")) {
            t = postPrice(prefix + suffix, 1, JUNE);
        }
        postPrice(prefix.substring(0, prefix.length() - 1) + "_", 1, JUNE);

        given().get("/prices?asOf={t}&validAt={v}&prefix={p}", t, JULY, prefix).then().statusCode(200)
                .body("items.sku", contains(prefix + "-a", prefix + "-b", prefix + "-c"));
        // Paged, the cursor stays within the prefix; a prefix nothing starts with is an empty page.
        String next = given().get("/prices?asOf={t}&validAt={v}&prefix={p}&limit=2", t, JULY, prefix).then()
                .body("items.sku", contains(prefix + "-a", prefix + "-b")).extract().path("next");
        given().get("/prices?asOf={t}&validAt={v}&prefix={p}&limit=2&cursor={c}", t, JULY, prefix, next).then()
                .body("items.sku", contains(prefix + "-c")).body("next", nullValue());
        given().get("/prices?prefix={p}", prefix + "-zzz").then().statusCode(200).body("items", empty());
    }

    @Test
    void aVersionSentAgainWithTheSameAmountIsRecordedAndSaysItChangedNothing() {
        String sku = sku("same");
        postPrice(sku, 7, JUNE);
        post(with(price(sku, 7, "EUR"), "effectiveAt", JUNE)).statusCode(201)
                .body("events[0].status", equalTo("created")).body("events[0].changed", equalTo(false));
        post(with(price(sku, 8, "EUR"), "effectiveAt", JUNE)).statusCode(201)
                .body("events[0].changed", nullValue());
    }

    @Test
    void aSkuIsListedOnceFromItsFirstVersionOnHoweverManyVersionsFollow() {
        String prefix = sku("named");
        String a = prefix + "-a";
        String b = prefix + "-b";
        long first = postPrice(a, 1, JUNE);
        postPrice(a, 2, JULY);
        long last = postPrice(a, 3, JUNE); // a correction
        // Two versions of a SKU never seen before, in one transaction: named once, by the first.
        long both = post(List.of(with(price(b, 4, "EUR"), "effectiveAt", JUNE),
                with(price(b, 5, "EUR"), "effectiveAt", JULY))).statusCode(201).extract().jsonPath().getLong("t");
        assertThat(both).isGreaterThan(last);

        assertThat(listed(first - 1, JULY)).doesNotContain(a, b);
        assertThat(listed(first, JULY)).containsOnlyOnce(a).doesNotContain(b);
        List<String> now = listed(both, JULY);
        assertThat(now).containsOnlyOnce(a, b);
        given().get("/prices?asOf={t}&validAt={v}&limit=1000", both, JUNE).then()
                .body("items.find { it.sku == '" + a + "' }.amount", equalTo(3))
                .body("items.find { it.sku == '" + b + "' }.amount", equalTo(4));
        // What /tx tells of the transaction is unchanged in domain terms: the events, their subjects.
        given().get("/tx/{t}", both).then().statusCode(200)
                .body("events.type", everyItem(equalTo("price")))
                .body("events.subject", hasItem(startsWith("price:" + b + "@")));
    }

    private static List<String> listed(long asOf, String validAt) {
        List<String> skus = new ArrayList<>();
        String cursor = null;
        do {
            var request = given().queryParam("asOf", asOf).queryParam("validAt", validAt).queryParam("limit", 500);
            if (cursor != null) {
                request.queryParam("cursor", cursor);
            }
            JsonPath page = request.get("/prices").then().statusCode(200).extract().jsonPath();
            skus.addAll(page.getList("items.sku"));
            cursor = page.getString("next");
        } while (cursor != null);
        return skus;
    }

    /**
     * A price event recorded before events named their version by {@code :event/effectiveAt}: it
     * holds the subject itself (and no effectiveAt). It still reads the same: /tx names it, its
     * history item carries its id.
     */
    @Test
    void aPriceEventRecordedWithItsSubjectStillReads() throws Exception {
        String sku = sku("legacy");
        String key = PriceKeys.of(sku, Instant.parse(JUNE).toEpochMilli());
        UUID id = UUID.randomUUID();
        Map<?, ?> result = store.connection().transact(List.of(
                Util.map(Attr.DB_ID, "v", Attr.PRICE_KEY, key, Attr.PRICE_SKU, sku,
                        Attr.PRICE_EFFECTIVE_AT, Date.from(Instant.parse(JUNE)),
                        Attr.PRICE_AMOUNT, new BigDecimal("7.25"), Attr.PRICE_CURRENCY, "EUR"),
                Util.map(Attr.DB_ID, "e", Attr.EVENT_ID, id, Attr.EVENT_HASH, "legacy", Attr.EVENT_SKU, sku,
                        Attr.EVENT_SUBJECT, "price:" + key, Attr.EVENT_SOURCE, "legacy"))).get();
        long t = ((Database) result.get(Connection.DB_AFTER)).basisT();

        given().get("/tx/{t}", t).then().statusCode(200)
                .body("events[0].id", equalTo(id.toString()))
                .body("events[0].type", equalTo("price"))
                .body("events[0].subject", equalTo("price:" + key))
                .body("events[0].source", equalTo("legacy"));
        given().get("/prices/{sku}/history", sku).then().statusCode(200)
                .body("items.eventId", hasItem(id.toString()))
                .body("items[0].amount", equalTo(7.25f));
        given().get("/prices/{sku}?validAt={v}", sku, JULY).then().statusCode(200).body("amount", equalTo(7.25f));
    }
}
