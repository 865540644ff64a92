package dev.asof.core;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * One reader of a t (issue 20), fed generated text: digits of every length, signs, spaces,
 * fractions, exponents, hex, Unicode digits. {@link AsOf#t} takes exactly 1–19 ASCII digits that
 * fit a long, and every place that takes a t agrees with it — asOf, /changes?after, /tx/{t} — by
 * answering a 400 naming the field exactly when it refuses (a t it takes may still lie beyond the
 * basis: that is a 400 too, but with its own words).
 */
@QuarkusTest
class PositionsPropertyTest {
    private static final String[] PIECES = {"0", "1", "7", "9", "00", "42", "+", "-", " ", ".", "e", "E", "x", "_",
            "٣", "１", "9223372036854775807", "9223372036854775808", "\t"};

    @Test
    void everyPlaceThatTakesATAgreesWithTheOneReader() {
        Random random = new Random(42);
        List<String> values = new ArrayList<>(List.of("0", "1", "+5", "-3", "1e3", "0x10", " 7", "7 ", "1.0",
                "9223372036854775807", "9223372036854775808", "0000000000000000001", "00000000000000000001"));
        for (int i = 0; i < 40; i++) {
            StringBuilder value = new StringBuilder();
            for (int p = 0, n = 1 + random.nextInt(3); p < n; p++) {
                value.append(PIECES[random.nextInt(PIECES.length)]);
            }
            values.add(value.toString());
        }
        for (String value : values) {
            boolean rule = value.matches("[0-9]{1,19}") && fitsALong(value);
            boolean read;
            try {
                assertThat(AsOf.t("t", value)).isEqualTo(Long.parseLong(value));
                read = true;
            } catch (Refusal refused) {
                assertThat(refused.errors()).extracting(FieldError::field).containsExactly("t");
                read = false;
            }
            assertThat(read).as("AsOf.t('%s')", value).isEqualTo(rule);
            String encoded = URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
            String wording = "a Datomic t (a whole number";
            for (String[] place : List.of(new String[] {"/tx/" + encoded, "t"},
                    new String[] {"/changes?after=" + encoded, "after"}, new String[] {"/prices/no-such-sku?asOf=" + encoded, "asOf"})) {
                if (place[1].equals("t") && (value.equals(".") || value.equals(".."))) {
                    continue; // a dot segment: the path loses it before it is routed (RFC 3986 §5.2.4)
                }
                var answer = given().urlEncodingEnabled(false).get(place[0]).then().extract();
                if (!rule) {
                    assertThat(answer.statusCode()).as("%s", place[0]).isEqualTo(400);
                    assertThat(answer.contentType()).startsWith("application/problem+json");
                    assertThat(answer.jsonPath().getString("errors[0].field")).as("%s", place[0]).isEqualTo(place[1]);
                    if (!place[1].equals("asOf")) { // asOf also takes instants: its words name both forms
                        assertThat(answer.jsonPath().getString("detail")).as("%s", place[0]).contains(wording);
                    }
                } else if (answer.statusCode() == 400) {
                    assertThat(answer.jsonPath().getString("detail")).as("%s: a t refused only past the basis", place[0])
                            .contains("beyond the database basis");
                } else {
                    assertThat(answer.statusCode()).as("%s: a t it takes is answered", place[0]).isIn(200, 404);
                }
            }
        }
    }

    /** A history cursor is a position in its database's lineage: one from another database is refused, not read here. */
    @Test
    void aHistoryCursorOfAnotherDatabaseIsRefused() {
        String sku = "cursor-" + java.util.UUID.randomUUID().toString().substring(0, 8);
        for (int i = 0; i < 3; i++) {
            dev.asof.support.Events.post(dev.asof.support.Events.with(dev.asof.support.Events.price(sku, i + 1, "EUR"),
                    "effectiveAt", "2026-0" + (i + 1) + "-01T00:00:00Z")).statusCode(201);
        }
        String next = given().get("/prices/{sku}/history?limit=1", sku).then().statusCode(200).extract().path("next");
        given().get("/prices/{sku}/history?limit=1&cursor={c}", sku, next).then().statusCode(200);
        String position = new String(java.util.Base64.getUrlDecoder().decode(next), StandardCharsets.UTF_8)
                .split("\u001f")[2];
        String elsewhere = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(
                ("1\u001fprice-history@0000000000000000\u001f" + position).getBytes(StandardCharsets.UTF_8));
        given().get("/prices/{sku}/history?limit=1&cursor={c}", sku, elsewhere).then().statusCode(400)
                .contentType("application/problem+json")
                .body("detail", org.hamcrest.Matchers.containsString("in this database"));
    }

    private static boolean fitsALong(String digits) {
        try {
            Long.parseLong(digits);
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }
}
