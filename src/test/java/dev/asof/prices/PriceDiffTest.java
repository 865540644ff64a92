package dev.asof.prices;

import static dev.asof.support.Events.end;
import static dev.asof.support.Events.period;
import static dev.asof.support.Events.post;
import static dev.asof.support.Events.price;
import static dev.asof.support.Events.with;
import static dev.asof.support.Events.withdrawal;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /prices?since=&asOf=} and {@code validSince=}: what changed across every SKU, against
 * answers computed by hand, and (generated) against the point reads the diff must agree with.
 */
@QuarkusTest
class PriceDiffTest {
    private static final String JAN = "2026-01-01T00:00:00Z";
    private static final String FRI = "2026-11-27T00:00:00Z";
    private static final String SAT = "2026-11-28T00:00:00Z";
    private static final String SUN = "2026-11-29T00:00:00Z";
    private static final String MON = "2026-11-30T00:00:00Z";
    private static final String TUE = "2026-12-01T00:00:00Z";

    /** A prefix no other test's SKUs start with: the diffs below list only these. */
    private static String prefix() {
        return "D" + UUID.randomUUID().toString().substring(0, 8) + "-";
    }

    private static long send(Map<String, Object> event) {
        return post(event).statusCode(201).extract().jsonPath().getLong("t");
    }

    private static Map<String, Object> at(String sku, Object amount, String effectiveAt) {
        return with(price(sku, amount, "EUR"), "effectiveAt", effectiveAt);
    }

    private static ExtractableResponse<Response> diff(String query) {
        return given().get("/prices?" + query).then().extract();
    }

    private static List<String> skus(JsonPath page) {
        return page.getList("items.sku");
    }

    @Test
    void whatWasLearnedBetweenTwoKnownAtPointsListsEachChangedSkuOnceWithItsNetChange() {
        String p = prefix();
        long t0 = send(at(p + "corrected", 10, JAN));
        send(at(p + "same", 20, JAN));
        send(at(p + "restated", 30, JAN));
        send(at(p + "ended", 40, JAN));
        send(at(p + "withdrawn", 50, JAN));
        long friday = send(at(p + "withdrawn", 55, FRI));
        // Between the points:
        send(at(p + "corrected", 11, JAN));
        send(at(p + "corrected", 12, JAN)); // corrected twice: one item, 10 -> 12
        send(at(p + "restated", 30, JAN)); // the same price again: no change in the list
        send(at(p + "restated", 30, FRI)); // a new version at the same price: no change either
        send(at(p + "new", 60, JAN));
        send(end(p + "ended", FRI));
        long last = send(withdrawal(p + "withdrawn", FRI));

        JsonPath page = diff("since=" + friday + "&asOf=" + last + "&validAt=" + MON + "&prefix=" + p)
                .jsonPath();
        assertThat(skus(page)).containsExactly(p + "corrected", p + "ended", p + "new", p + "withdrawn");
        assertThat(page.getLong("sinceT")).isEqualTo(friday);
        assertThat(page.getLong("basisT")).isEqualTo(last);
        assertThat(page.getString("validSince")).isEqualTo(MON);
        assertThat(page.getFloat("items[0].before.amount")).isEqualTo(10f);
        assertThat(page.getFloat("items[0].after.amount")).isEqualTo(12f);
        // Both corrections are told, with what each replaced, oldest first.
        assertThat(page.getList("items[0].changes.op")).containsExactly("retract", "assert", "retract", "assert");
        assertThat(page.getList("items[0].changes.amount", Float.class)).containsExactly(10f, 11f, 11f, 12f);
        assertThat(page.getString("items[0].history"))
                .isEqualTo("/prices/" + p + "corrected/history?from=" + (friday + 1) + "&to=" + (last + 1));
        assertThat(page.getFloat("items[1].before.amount")).isEqualTo(40f);
        assertThat(page.getBoolean("items[1].after.ended")).isTrue();
        assertThat(page.getString("items[1].after.effectiveAt")).isEqualTo(FRI);
        assertThat(page.getMap("items[2]")).containsEntry("before", null);
        assertThat(page.getFloat("items[2].after.amount")).isEqualTo(60f);
        assertThat(page.getFloat("items[3].before.amount")).isEqualTo(55f);
        assertThat(page.getFloat("items[3].after.amount")).isEqualTo(50f);
        assertThat(page.getList("items[3].changes.op")).containsExactly("withdraw");
        // Before the first change, and from t0 (which only the first SKU's first price follows): the list as it grew.
        assertThat(skus(diff("since=" + last + "&asOf=" + last + "&validAt=" + MON + "&prefix=" + p).jsonPath()))
                .isEmpty();
        assertThat(skus(diff("since=" + (t0 - 1) + "&asOf=" + friday + "&validAt=" + MON + "&prefix=" + p).jsonPath()))
                .containsExactly(p + "corrected", p + "ended", p + "restated", p + "same", p + "withdrawn");
    }

    @Test
    void whichPricesChangeOnMondayListsWhatStartsOrEndsBetweenTheTwoValidTimes() {
        String p = prefix();
        send(at(p + "a-sunday", 10, JAN));
        send(at(p + "a-sunday", 9, SUN)); // changes on Sunday: listed
        send(at(p + "b-tuesday", 20, JAN));
        send(at(p + "b-tuesday", 19, TUE)); // after Monday: not listed
        send(at(p + "c-promo", 30, JAN));
        send(period(p + "c-promo", 25, "2026-11-20T00:00:00Z", SAT)); // the promotion ends on Saturday: listed
        send(at(p + "d-same", 40, JAN));
        send(at(p + "d-same", 40, SUN)); // restated at the same price: not listed
        send(end(p + "e-delisted", JAN));
        send(at(p + "e-delisted", 50, SAT)); // listed again on Saturday: listed
        long last = send(at(p + "f-untouched", 60, JAN));

        ExtractableResponse<Response> answer = diff("validSince=" + FRI + "&validAt=" + MON + "&asOf=" + last
                + "&prefix=" + p);
        JsonPath page = answer.jsonPath();
        assertThat(skus(page)).containsExactly(p + "a-sunday", p + "c-promo", p + "e-delisted");
        assertThat(page.getLong("sinceT")).isEqualTo(last);
        assertThat(page.getFloat("items[0].before.amount")).isEqualTo(10f);
        assertThat(page.getFloat("items[0].after.amount")).isEqualTo(9f);
        assertThat(page.getString("items[1].before.effectiveUntil")).isEqualTo(SAT);
        assertThat(page.getFloat("items[1].after.amount")).isEqualTo(30f);
        assertThat(page.getBoolean("items[2].before.ended")).isTrue();
        assertThat(page.getMap("items[0]")).doesNotContainKeys("changes", "history");
        // The other way round: the same SKUs, before and after swapped.
        JsonPath back = diff("validSince=" + MON + "&validAt=" + FRI + "&asOf=" + last + "&prefix=" + p).jsonPath();
        assertThat(skus(back)).isEqualTo(skus(page));
        assertThat(back.getFloat("items[0].before.amount")).isEqualTo(9f);
        // A settled pair of points is an immutable answer.
        assertThat(answer.header("Cache-Control")).contains("immutable");
        assertThat(answer.header("ETag")).doesNotStartWith("W/");
    }

    @Test
    void pagesRunInSkuOrderByCursorWithoutRepeatsOrGaps() {
        String p = prefix();
        long since = send(at(p + "seed", 1, JAN));
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            String sku = p + (char) ('g' - i);
            send(at(sku, i + 1, JAN));
            expected.add(0, sku);
        }
        long last = send(at(p + "seed", 1, JAN)); // restated: not a change
        List<String> seen = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            ExtractableResponse<Response> answer = diff("since=" + since + "&asOf=" + last + "&validAt=" + MON
                    + "&prefix=" + p + "&limit=3" + (cursor == null ? "" : "&cursor=" + cursor));
            assertThat(answer.statusCode()).isEqualTo(200);
            cursor = answer.jsonPath().getString("next");
            if (cursor != null) {
                assertThat(answer.header("Link")).contains("rel=\"next\"");
            }
            seen.addAll(skus(answer.jsonPath()));
            pages++;
        } while (cursor != null);
        assertThat(seen).isEqualTo(expected);
        assertThat(pages).isEqualTo(3);
    }

    @Test
    void aCursorKeepsTheTwoPointsOfItsFirstPageWhileNowMovesOn() {
        String p = prefix();
        long since = send(at(p + "a", 1, JAN));
        send(at(p + "a", 2, JAN));
        send(at(p + "b", 2, JAN));
        // About now, as a client that follows Link would ask: no asOf.
        ExtractableResponse<Response> first = diff("since=" + since + "&validAt=" + MON + "&prefix=" + p + "&limit=1");
        long basisT = first.jsonPath().getLong("basisT");
        String cursor = first.jsonPath().getString("next");
        send(at(p + "b", 3, JAN)); // now moves on
        send(at(p + "c", 3, JAN));
        JsonPath second = diff("since=" + since + "&validAt=" + MON + "&prefix=" + p + "&limit=1&cursor=" + cursor).jsonPath();
        assertThat(second.getLong("basisT")).isEqualTo(basisT);
        assertThat(second.getLong("sinceT")).isEqualTo(since);
        assertThat(skus(second)).containsExactly(p + "b");
        assertThat(second.getFloat("items[0].after.amount")).isEqualTo(2f); // as at the first page's point
        assertThat(second.getString("next")).isNull(); // c came after it
    }

    @Test
    void sinceAfterAsOfAndBadPointsAreRefusedWithProblems() {
        long t = send(at(prefix() + "x", 1, JAN));
        given().get("/prices?since={s}&asOf={a}", t, t - 1).then().statusCode(400)
                .contentType(startsWith("application/problem+json")).body("detail", containsString("lies after asOf"));
        given().get("/prices?since=yesterday").then().statusCode(400)
                .contentType(startsWith("application/problem+json")).body("detail", containsString("since"));
        given().get("/prices?validSince=2026-13-01").then().statusCode(400)
                .contentType(startsWith("application/problem+json")).body("detail", containsString("validSince"));
        given().get("/prices?since=1&cursor=bogus").then().statusCode(400)
                .contentType(startsWith("application/problem+json"));
        given().get("/prices?since={s}", t + 1_000_000).then().statusCode(400)
                .body("errors[0].field", equalTo("since"));
        // About now: never settled.
        ExtractableResponse<Response> now = diff("since=" + t);
        assertThat(now.statusCode()).isEqualTo(200);
        assertThat(Objects.toString(now.header("Cache-Control"), "")).doesNotContain("immutable");
        given().get("/prices?since={s}&asOf={a}", t, t).then().statusCode(200).body("items.size()", equalTo(0));
    }

    /**
     * Generated: random prices, corrections, periods, ends and withdrawals over a few SKUs; for
     * random pairs of points, the diff lists exactly the SKUs whose point reads ({@code /prices/{sku}})
     * differ in price, with those prices.
     */
    @Test
    void theDiffAgreesWithThePointReadsAtBothPoints() {
        agreesWithPointReads(new Random(23));
    }

    /** The generated check, also run where a page's read budget is tiny (PriceDiffWalkTest: it walks the SKUs). */
    static void agreesWithPointReads(Random random) {
        String p = prefix();
        int skus = 12;
        List<Long> ts = new ArrayList<>();
        ts.add(send(at(p + "0", 1, JAN)) - 1);
        for (int i = 0; i < 45; i++) {
            String sku = p + random.nextInt(skus);
            int day = random.nextInt(14);
            String start = day == 0 ? JAN : day(day);
            int kind = random.nextInt(10);
            Map<String, Object> event = kind < 4 ? at(sku, random.nextInt(4) + 1, start)
                    : kind < 8 ? period(sku, random.nextInt(4) + 1, start, day(day + 1 + random.nextInt(3)))
                    : kind < 9 ? end(sku, start) : withdrawal(sku, start);
            var answer = post(event).extract();
            if (answer.statusCode() == 201) {
                ts.add(answer.jsonPath().getLong("t"));
            } else {
                assertThat(answer.statusCode()).as(answer.body().asString()).isEqualTo(422); // nothing to withdraw
            }
        }
        for (int pair = 0; pair < 36; pair++) {
            // A third each: known-at points only (every other one neighbours, one transaction apart),
            // valid times only, and both.
            int i = random.nextInt(ts.size() - 1);
            long since = ts.get(pair % 6 == 0 ? i : random.nextInt(i + 1));
            long asOf = pair % 3 == 1 ? since : ts.get(pair % 6 == 0 ? i + 1 : i + random.nextInt(ts.size() - i));
            String validSince = valid(random);
            // Valid times only: a day or so apart, so that a period's end alone tells a SKU apart.
            String validAt = pair % 3 == 0 ? validSince : pair % 3 == 1
                    ? java.time.Instant.parse(validSince).plus(java.time.Duration.ofHours(6 + random.nextInt(36))).toString()
                    : valid(random);
            Map<String, List<Object>> expected = new LinkedHashMap<>();
            for (int s = 0; s < skus; s++) {
                List<Object> before = pointRead(p + s, since, validSince);
                List<Object> after = pointRead(p + s, asOf, validAt);
                if (!before.equals(after)) {
                    expected.put(p + s, List.of(before, after));
                }
            }
            JsonPath page = diff("since=" + since + "&asOf=" + asOf + "&validSince=" + validSince + "&validAt="
                    + validAt + "&prefix=" + p).jsonPath();
            Map<String, List<Object>> actual = new LinkedHashMap<>();
            List<Map<String, Object>> items = page.getList("items");
            for (Map<String, Object> item : items) {
                actual.put((String) item.get("sku"), List.of(priceOf(item.get("before")), priceOf(item.get("after"))));
            }
            assertThat(actual).as("since=%d asOf=%d validSince=%s validAt=%s", since, asOf, validSince, validAt)
                    .isEqualTo(expected);
        }
    }

    /** Midnight of a day from 2026-11-20 (0) on. */
    private static String day(int day) {
        return java.time.Instant.parse("2026-11-20T00:00:00Z").plus(java.time.Duration.ofDays(day)).toString();
    }

    /** A valid time among the generated starts and ends: at one, or between two. */
    private static String valid(Random random) {
        return java.time.Instant.parse(day(random.nextInt(17))).plus(java.time.Duration.ofHours(random.nextInt(3) * 6))
                .minusMillis(random.nextInt(2)).toString();
    }

    /** The price a point read answers: [amount, currency], or [] when it answers 404 (none, or ended). */
    private static List<Object> pointRead(String sku, long asOf, String validAt) {
        var answer = given().get("/prices/{sku}?asOf={a}&validAt={v}", sku, asOf, validAt).then().extract();
        if (answer.statusCode() == 404) {
            return List.of();
        }
        assertThat(answer.statusCode()).isEqualTo(200);
        return List.of(answer.jsonPath().getString("amount"), answer.jsonPath().getString("currency"));
    }

    private static List<Object> priceOf(Object state) {
        if (state == null || ((Map<?, ?>) state).get("ended") != null) {
            return List.of();
        }
        Map<?, ?> price = (Map<?, ?>) state;
        return List.of(String.valueOf(price.get("amount")), price.get("currency"));
    }
}
