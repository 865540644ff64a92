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
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;

import io.quarkus.test.junit.QuarkusTest;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every rule an event must pass, each answered with 400 problem+json naming the field and its index. */
@QuarkusTest
class EventValidationTest {

    static List<Arguments> badPrices() {
        Map<String, Object> ok = price("SKU-1", 10, "EUR");
        return List.of(
                Arguments.of("sku", without(ok, "sku")),
                Arguments.of("sku", with(ok, "sku", "has space")),
                Arguments.of("sku", with(ok, "sku", "x".repeat(65))),
                Arguments.of("sku", with(ok, "sku", "")),
                Arguments.of("sku", with(ok, "sku", 42)),
                Arguments.of("amount", without(ok, "amount")),
                Arguments.of("amount", with(ok, "amount", -0.01)),
                Arguments.of("amount", with(ok, "amount", new BigDecimal("1.23456"))),
                Arguments.of("amount", with(ok, "amount", "10 EUR")),
                Arguments.of("amount", with(ok, "amount", "1e")),
                Arguments.of("amount", with(ok, "amount", "")),
                Arguments.of("amount", with(ok, "amount", "-0.01")),
                Arguments.of("amount", with(ok, "amount", "1.23456")),
                Arguments.of("amount", with(ok, "amount", true)),
                Arguments.of("currency", without(ok, "currency")),
                Arguments.of("currency", with(ok, "currency", "eur")),
                Arguments.of("currency", with(ok, "currency", "EUX")),
                Arguments.of("currency", with(ok, "currency", 978)),
                Arguments.of("effectiveAt", with(ok, "effectiveAt", "yesterday")),
                Arguments.of("effectiveAt", with(ok, "effectiveAt", 1700000000)),
                Arguments.of("effectiveAt", with(ok, "effectiveAt", "0000-12-31T23:59:59Z")),
                Arguments.of("effectiveAt", with(ok, "effectiveAt", "+10000-01-01T00:00:00Z")),
                Arguments.of("source", with(ok, "source", "s".repeat(101))),
                Arguments.of("id", with(ok, "id", "not-a-uuid")),
                Arguments.of("color", with(ok, "color", "red")),
                Arguments.of("type", with(ok, "type", "discount")),
                Arguments.of("type", without(ok, "type")));
    }

    static List<Arguments> badCustomers() {
        Map<String, Object> ok = customer("c-1");
        return List.of(
                Arguments.of("customerId", without(ok, "customerId")),
                Arguments.of("customerId", with(ok, "customerId", "")),
                Arguments.of("customerId", with(ok, "customerId", "c".repeat(65))),
                Arguments.of("name", with(ok, "name", "n".repeat(201))),
                Arguments.of("email", with(ok, "email", "not an address")),
                Arguments.of("tier", with(ok, "tier", "diamond")),
                Arguments.of("country", with(ok, "country", "XX")),
                Arguments.of("country", with(ok, "country", "gb")),
                Arguments.of("deleted", with(ok, "deleted", "yes")),
                Arguments.of("deleted", with(with(ok, "deleted", true), "name", "Ada")),
                Arguments.of("nickname", with(ok, "nickname", "Ace")));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("badPrices")
    void invalidPriceFieldIsNamed(String field, Map<String, Object> event) {
        post(event).statusCode(400)
                .contentType("application/problem+json")
                .body("status", equalTo(400))
                .body("errors.field", hasItem(field))
                .body("errors.index", everyItem(equalTo(0)));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("badCustomers")
    void invalidCustomerFieldIsNamed(String field, Map<String, Object> event) {
        post(event).statusCode(400)
                .contentType("application/problem+json")
                .body("errors.field", hasItem(field));
    }

    @Test
    void everyBadFieldOfEveryEventIsListedWithItsIndex() {
        Map<String, Object> good = price(sku("ok"), 1, "EUR");
        Map<String, Object> twoBad = with(with(price("a b", -1, "EUR"), "currency", "nope"), "extra", 1);
        Map<String, Object> oneBad = customer("c").entrySet().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
        oneBad.put("email", "bad");
        post(List.of(good, twoBad, oneBad)).statusCode(400)
                .body("errors", hasSize(5))
                .body("errors.findAll { it.index == 1 }.field", containsInAnyOrder("extra", "sku", "amount", "currency"))
                .body("errors.findAll { it.index == 2 }.field", equalTo(List.of("email")))
                .body("errors.findAll { it.index == 0 }", hasSize(0));
    }

    @Test
    void batchWithOneBadEventQueuesNothing() {
        String sku = sku("all-or-nothing");
        List<Map<String, Object>> batch = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            batch.add(price(sku + "-" + i, i, "EUR"));
        }
        batch.add(price(sku, -5, "EUR"));
        post(batch).statusCode(400).body("errors[0].index", equalTo(5));
        for (int i = 0; i < 5; i++) {
            given().get("/prices/{sku}", sku + "-" + i).then().statusCode(404);
        }
    }

    @Test
    void malformedJsonIsAProblemWithPosition() {
        postRaw("{\"type\": \"price\", ").statusCode(400)
                .contentType("application/problem+json")
                .body("detail", containsString("not valid JSON"))
                .body("detail", not(containsString("Exception")));
    }

    @Test
    void anAbsentFieldAndTheTextNullAreDifferentContent() {
        Map<String, Object> event = price(sku("null-text"), 1, "EUR");
        post(event).statusCode(201);
        post(event).body("events[0].status", equalTo("duplicate"));
        post(with(event, "source", "null")).statusCode(422).contentType("application/problem+json")
                .body("events[0].status", org.hamcrest.Matchers.not(equalTo("duplicate")))
                .body("events[0].reason", containsString("already recorded"));
    }

    @Test
    void anAmountReadsTheSameAsANumberOrAsAString() {
        for (String amount : List.of("1E+3", "12.5e-1", "19.99")) {
            String sku = sku("amount-forms");
            postRaw("{\"type\":\"price\",\"sku\":\"" + sku + "\",\"amount\":" + amount + ",\"currency\":\"EUR\"}")
                    .statusCode(201);
            String other = sku("amount-forms");
            postRaw("{\"type\":\"price\",\"sku\":\"" + other + "\",\"amount\":\"" + amount + "\",\"currency\":\"EUR\"}")
                    .statusCode(201);
            assertThat(given().get("/prices/{sku}", other).then().extract().jsonPath().getString("amount"))
                    .as(amount).isEqualTo(given().get("/prices/{sku}", sku).then().extract().jsonPath().getString("amount"));
        }
        for (String huge : List.of("9.2E+1010671858", "1E+9999999999")) {
            postRaw("{\"type\":\"price\",\"sku\":\"H-2\",\"amount\":\"" + huge + "\",\"currency\":\"EUR\"}")
                    .statusCode(400).body("errors", hasSize(1)).body("errors[0].message", containsString("out of range"));
        }
    }

    @Test
    void aHugeAmountIsOutOfRangeAndSaidOnce() {
        postRaw("{\"type\":\"price\",\"sku\":\"H-1\",\"amount\":9.2E+1010671858,\"currency\":\"EUR\"}").statusCode(400)
                .body("errors", hasSize(1)).body("errors[0].message", containsString("out of range"));
    }

    @Test
    void duplicateKeysAreRejected() {
        postRaw("{\"type\":\"price\",\"sku\":\"A\",\"sku\":\"B\",\"amount\":1,\"currency\":\"EUR\"}").statusCode(400);
    }

    @Test
    void emptyBodiesAndArraysAreRejected() {
        postRaw("[]").statusCode(400).body("detail", containsString("no events"));
        postRaw("").statusCode(400);
        postRaw("42").statusCode(400).body("errors[0].message", containsString("JSON object"));
    }

    @Test
    void moreThanAThousandEventsInAnArrayIs413() {
        List<Map<String, Object>> batch = IntStream.range(0, 1001)
                .mapToObj(i -> price("SKU-" + i, i, "EUR")).toList();
        post(batch).statusCode(413).contentType("application/problem+json");
    }

    @Test
    void jsonBodyOverOneMebibyteIs413() {
        String filler = "{\"type\":\"price\",\"sku\":\"BIG\",\"amount\":1,\"currency\":\"EUR\",\"source\":\"x\"}";
        StringBuilder body = new StringBuilder("[").append(filler);
        while (body.length() < 1_100_000) {
            body.append(",").append(filler);
        }
        postRaw(body.append("]").toString()).statusCode(413).contentType("application/problem+json")
                .body("detail", containsString("bytes"));
    }

    @Test
    void hostileValuesAre400s() {
        String sku = sku("hostile");
        postRaw("{\"type\":\"price\",\"sku\":\"" + sku + "\",\"amount\":1e400,\"currency\":\"EUR\"}").statusCode(400)
                .body("errors.field", hasItem("amount"));
        postRaw("{\"type\":\"price\",\"sku\":\"" + sku + "\",\"amount\":NaN,\"currency\":\"EUR\"}").statusCode(400);
        postRaw("{\"type\":\"price\",\"sku\":\"" + sku + "\",\"amount\":1" + "0".repeat(100)
                + ",\"currency\":\"EUR\"}").statusCode(400);
        postRaw("{\"type\":\"customer\",\"customerId\":\"c\\u0000x\"}").statusCode(400)
                .body("errors[0].message", containsString("control characters"));
        postRaw("[".repeat(100) + "]".repeat(100)).statusCode(400);
        given().contentType("application/json").body(new byte[] {'{', '"', (byte) 0xC3, (byte) 0x28, '"', ':', '1', '}'})
                .post("/events").then().statusCode(400);
        given().get("/prices/{sku}", sku).then().statusCode(404);
    }

    @Test
    void amountAsADecimalStringIsTheSameExactAmount() {
        String sku = sku("string-amount");
        Map<String, Object> asString = with(price(sku, "19.9900", "EUR"), "effectiveAt", "2026-01-01T00:00:00Z");
        post(asString).statusCode(201);
        given().get("/prices/{sku}", sku).then().statusCode(200).body(containsString("\"amount\":19.9900"));
        // The same event sent with a JSON number is the same content: a duplicate, not a conflict.
        post(with(asString, "amount", new BigDecimal("19.99"))).statusCode(200)
                .body("events[0].status", equalTo("duplicate"));
    }

    @Test
    void theSameIdTwiceInOneRequestIs400NamingBothAndQueuesNothing() {
        Map<String, Object> first = price(sku("IDEM-1"), 1, "EUR");
        Map<String, Object> second = with(price(sku("IDEM-2"), 2, "EUR"), "id", first.get("id"));
        post(List.of(first, second)).statusCode(400).contentType("application/problem+json")
                .body("errors", hasSize(1))
                .body("errors[0].index", equalTo(1))
                .body("errors[0].field", equalTo("id"))
                .body("errors[0].message", containsString("event 0"));
        given().get("/prices/{sku}", first.get("sku")).then().statusCode(404);
        given().get("/prices/{sku}", second.get("sku")).then().statusCode(404);
        String ndjson = "{\"type\":\"price\",\"id\":\"" + first.get("id") + "\",\"sku\":\"N1\",\"amount\":1,\"currency\":\"EUR\"}\n\n"
                + "{\"type\":\"price\",\"id\":\"" + first.get("id") + "\",\"sku\":\"N2\",\"amount\":1,\"currency\":\"EUR\"}\n";
        postNdjson(ndjson).statusCode(400).body("errors[0].line", equalTo(3))
                .body("errors[0].message", containsString("line 1"));
    }

    @Test
    void wrongMediaTypeIs415() {
        given().contentType("text/plain").body("hello").post("/events").then()
                .statusCode(415).contentType("application/problem+json");
    }

    @Test
    void blankNdjsonLinesCountAgainstTheLineLimit() {
        String event = "{\"type\":\"price\",\"sku\":\"" + sku("blank") + "\",\"amount\":1,\"currency\":\"EUR\"}";
        // 10,000 lines (the limit) are accepted, blank ones included; one more line is a 413.
        postNdjson("\n".repeat(9_999) + event + "\n").statusCode(201);
        postNdjson("\n".repeat(10_000) + event + "\n").statusCode(413).contentType("application/problem+json")
                .body("detail", containsString("blank"));
        postNdjson(" \t\r\n".repeat(200_000)).statusCode(413);
        // Whitespace around an event and CRLF line ends are not part of it.
        postNdjson("  " + event.replace("blank", "crlf") + " \r\n\r\n").statusCode(201);
    }

    @Test
    void ndjsonErrorsNameTheLine() {
        String body = "{\"type\":\"price\",\"sku\":\"N1\",\"amount\":1,\"currency\":\"EUR\"}\n"
                + "\n"
                + "{\"type\":\"price\",\"sku\":\"N2\",\"amount\":1,\"currency\":\"XXX1\"}\n"
                + "{not json\n";
        postNdjson(body).statusCode(400)
                .body("errors", hasSize(1))
                .body("errors[0].line", equalTo(4))
                .body("errors[0].index", equalTo(2));
        String fields = "{\"type\":\"price\",\"sku\":\"N1\",\"amount\":1,\"currency\":\"EUR\"}\n"
                + "\n"
                + "{\"type\":\"price\",\"sku\":\"N2\",\"amount\":1,\"currency\":\"XXX1\"}\n";
        postNdjson(fields).statusCode(400)
                .body("errors[0].line", equalTo(3))
                .body("errors[0].index", equalTo(1))
                .body("errors[0].field", equalTo("currency"));
    }
}
