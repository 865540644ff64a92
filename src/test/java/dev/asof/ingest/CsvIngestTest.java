package dev.asof.ingest;

import static dev.asof.support.Events.sku;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.startsWith;

import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * {@code POST /events} with {@code Content-Type: text/csv}: the edge cases a spreadsheet's file
 * brings (quoted commas, CRLF, a byte-order mark, a missing or extra column, a bad number with its
 * row), the same atomicity and idempotency as NDJSON, and (generated) any text CSV quoting can
 * carry arriving intact.
 */
@QuarkusTest
class CsvIngestTest {

    static ValidatableResponse postCsv(String body) {
        return postCsv(body.getBytes(StandardCharsets.UTF_8));
    }

    static ValidatableResponse postCsv(byte[] body) {
        return given().contentType("text/csv; charset=utf-8").body(body).when().post("/events").then();
    }

    @Test
    void aRepricingFromASpreadsheetIsRecordedAsPriceEventsWithAmountsAsWritten() {
        String a = sku("csv");
        String b = sku("csv");
        String id = UUID.randomUUID().toString();
        String body = "\uFEFFid,sku,amount,currency,effectiveAt\r\n"
                + id + "," + a + ",19.990,EUR,2026-12-07T00:00:00Z\r\n"
                + "\r\n" // a blank row is passed by (and counted)
                + "," + b + ",\"5\",USD,\r\n";
        postCsv(body).statusCode(201).body("events", hasSize(2)).body("events[0].id", equalTo(id));
        given().get("/prices/{sku}?validAt=2026-12-08T00:00:00Z", a).then().statusCode(200)
                .body("amount", equalTo(19.99f)).body("effectiveAt", equalTo("2026-12-07T00:00:00Z"));
        String history = given().get("/prices/{sku}/history", a).then().extract().asString();
        assertThat(history).contains("\"amount\":19.990"); // the scale as written
        given().get("/prices/{sku}", b).then().statusCode(200).body("currency", equalTo("USD"));
        // The same file again: every event is a duplicate, with its original t.
        postCsv(body.replace("," + b + ",", UUID.randomUUID() + "," + b + ",")).statusCode(201);
        String again = "id,sku,amount,currency,effectiveAt\n" + id + "," + a + ",19.990,EUR,2026-12-07T00:00:00Z\n";
        postCsv(again).statusCode(200).body("events[0].status", equalTo("duplicate"));
    }

    @Test
    void customersWithQuotedCommasQuotesAndLineBreaksKeepEveryCharacter() {
        String id = "csv-" + UUID.randomUUID().toString().substring(0, 8);
        String body = "type,customerId,name,city,tier\n"
                + "customer," + id + ",\"Lovelace, Ada \"\"the Countess\"\"\",\"London, Marylebone\",gold\n";
        postCsv(body).statusCode(201);
        given().get("/customers/{id}", id).then().statusCode(200)
                .body("name", equalTo("Lovelace, Ada \"the Countess\"")).body("city", equalTo("London, Marylebone"))
                .body("tier", equalTo("gold"));
        // A quoted line break is one cell (the next record is still row 3), and text holds no control characters.
        postCsv("type,customerId,city\ncustomer," + id + ",\"London\r\nMarylebone\"\ncustomer," + id + ",\"\"\"\"\n")
                .statusCode(400).body("errors", hasSize(1)).body("errors[0].row", equalTo(2))
                .body("errors[0].field", equalTo("city")).body("errors[0].message", containsString("control characters"));
        given().get("/customers/{id}", id).then().body("city", equalTo("London, Marylebone"));
    }

    @Test
    void aBadRowIsNamedByRowAndColumnAndNothingIsRecorded() {
        String good = sku("csv");
        String body = "sku,amount,currency\n"
                + good + ",1,EUR\n"
                + good + "-2,2,EUR\n"
                + good + "-3,1O.5,EUR\n"; // a letter O: row 4
        postCsv(body).statusCode(400).contentType(startsWith("application/problem+json"))
                .body("errors", hasSize(1)).body("errors[0].row", equalTo(4)).body("errors[0].field", equalTo("amount"))
                .body("errors[0].index", equalTo(2));
        given().get("/prices/{sku}", good).then().statusCode(404); // all or nothing
    }

    @Test
    void aMissingOrExtraCellAndAnUnknownOrRepeatedColumnAreRefused() {
        String s = sku("csv");
        postCsv("sku,amount,currency\n" + s + ",1\n").statusCode(400)
                .body("errors[0].row", equalTo(2)).body("errors[0].message", containsString("2 cells where the header names 3"));
        postCsv("sku,amount,currency\n" + s + ",1,EUR,extra\n").statusCode(400)
                .body("errors[0].row", equalTo(2)).body("errors[0].message", containsString("4 cells"));
        postCsv("sku,amount,currency,colour\n" + s + ",1,EUR,red\n").statusCode(400)
                .body("errors[0].row", equalTo(1)).body("errors[0].field", equalTo("colour"))
                .body("errors[0].message", containsString("is not an event field"));
        postCsv("sku,amount,amount,currency\n" + s + ",1,2,EUR\n").statusCode(400)
                .body("errors[0].field", equalTo("amount")).body("errors[0].message", containsString("twice"));
        postCsv("sku,amount,currency\n").statusCode(400).body("detail", containsString("no events"));
        postCsv("").statusCode(400).body("detail", containsString("no header row"));
        postCsv("sku,amount,currency\n\"" + s + ",1,EUR\n").statusCode(400) // a quote never closed
                .body("errors[0].row", equalTo(2)).body("errors[0].message", startsWith("not valid CSV"));
        postCsv("sku,amount,currency,ended\n" + s + ",,,maybe\n").statusCode(400)
                .body("errors[0].field", equalTo("ended"));
        // A quote never closed, bytes that are not UTF-8, another charset, semicolons: said in those words.
        postCsv("sku,amount,currency\n" + s + ",\"1.50,EUR\n").statusCode(400)
                .body("errors[0].message", containsString("quote"));
        postCsv(("sku,amount,currency,source\r\n" + s + ",1.50,EUR,M").getBytes(StandardCharsets.UTF_8))
                .statusCode(201); // (the same, well formed, is taken)
        byte[] latin1 = ("sku,amount,currency,source\r\n" + s + ",1.50,EUR,M\u00fcller\r\n").getBytes(StandardCharsets.ISO_8859_1);
        postCsv(latin1).statusCode(400).body("errors[0].message", containsString("UTF-8"));
        given().contentType("text/csv; charset=ISO-8859-1").body(latin1).post("/events").then().statusCode(400)
                .contentType(startsWith("application/problem+json")).body("detail", containsString("UTF-8"));
        postCsv("sku;amount;currency\n" + s + ";1;EUR\n").statusCode(400)
                .body("errors[0].message", containsString("semicolons"));
        given().get("/prices/{sku}", s).then().statusCode(200); // only the well-formed one
    }

    @Test
    void endsAndWithdrawalsReadTrueAsASpreadsheetWritesIt() {
        String s = sku("csv");
        postCsv("sku,amount,currency,effectiveAt,ended,withdrawn\n"
                + s + ",3,EUR,2026-01-01T00:00:00Z,,\n"
                + s + ",,,2026-03-01T00:00:00Z,TRUE,\n"
                + s + ",9,EUR,2062-03-01T00:00:00Z,,\n").statusCode(201);
        postCsv("sku,effectiveAt,withdrawn\n" + s + ",2062-03-01T00:00:00Z,true\n").statusCode(201);
        given().get("/prices/{sku}?validAt=2026-02-01T00:00:00Z", s).then().statusCode(200).body("amount", equalTo(3));
        given().get("/prices/{sku}?validAt=2063-01-01T00:00:00Z", s).then().statusCode(404)
                .body("title", equalTo("Price ended"));
    }

    /**
     * Generated: customer names and cities drawn from the characters CSV must quote (comma, quote),
     * spaces and non-ASCII text (line breaks are control characters, which no text holds), written by a CSV writer (Jackson's, as a spreadsheet
     * would quote them), arrive exactly as written.
     */
    @Test
    void anyTextCsvQuotingCarriesArrivesIntact() throws Exception {
        Random random = new Random(4180);
        String alphabet = "ab ,\";'é€日本";
        CsvSchema schema = CsvSchema.builder().addColumn("type").addColumn("customerId").addColumn("name")
                .addColumn("city").build().withHeader().withLineSeparator("\r\n");
        List<List<String>> rows = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            rows.add(List.of("customer", "csvp-" + UUID.randomUUID().toString().substring(0, 12),
                    text(random, alphabet), text(random, alphabet)));
        }
        byte[] body = new CsvMapper().writer(schema).writeValueAsBytes(rows);
        postCsv(body).statusCode(201).body("events", hasSize(rows.size()));
        for (List<String> row : rows) {
            given().get("/customers/{id}", row.get(1)).then().statusCode(200)
                    .body("name", equalTo(row.get(2))).body("city", equalTo(row.get(3)));
        }
    }

    /** 1 to 12 characters, not blank at either end (the name rule refuses blank names). */
    private static String text(Random random, String alphabet) {
        StringBuilder text = new StringBuilder("x");
        int n = random.nextInt(12);
        for (int i = 0; i < n; i++) {
            text.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return text.append('y').toString();
    }
}
