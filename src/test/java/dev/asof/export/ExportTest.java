package dev.asof.export;

import static dev.asof.support.Events.customer;
import static dev.asof.support.Events.end;
import static dev.asof.support.Events.period;
import static dev.asof.support.Events.post;
import static dev.asof.support.Events.price;
import static dev.asof.support.Events.with;
import static dev.asof.support.Events.withdrawal;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.startsWith;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Streamed exports: the price list at a point as NDJSON and CSV (against the JSON pages of the same
 * point), how a request asks for one, and the events of a range of transactions as POST /events
 * takes them. The round trip into a fresh service is ExportRoundTripIT's.
 */
@QuarkusTest
class ExportTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String JAN = "2026-01-01T00:00:00Z";

    private static String prefix() {
        return "X" + UUID.randomUUID().toString().substring(0, 8) + "-";
    }

    private static long send(Map<String, Object> event) {
        return post(event).statusCode(201).extract().jsonPath().getLong("t");
    }

    private static Map<String, Object> at(String sku, Object amount, String effectiveAt) {
        return with(price(sku, amount, "EUR"), "effectiveAt", effectiveAt);
    }

    private static List<JsonNode> lines(String ndjson) throws Exception {
        List<JsonNode> lines = new ArrayList<>();
        assertThat(ndjson).endsWith("\n");
        for (String line : ndjson.split("\n")) {
            lines.add(JSON.readTree(line));
        }
        return lines;
    }

    @Test
    void thePriceListStreamsAsNdjsonAndCsvWithItsBasisAndTheSameAnswersAsThePages() throws Exception {
        String p = prefix();
        send(at(p + "a", "19.990", JAN));
        send(period(p + "b", "9.5", JAN, "2099-01-01T00:00:00Z"));
        send(at(p + "c", 3, JAN));
        send(end(p + "c", "2026-02-01T00:00:00Z")); // ended: not in the list
        long t = send(at(p + "d", 7, JAN));

        ExtractableResponse<Response> ndjson = given().accept("application/x-ndjson")
                .get("/prices?asOf={t}&validAt=2026-06-01T00:00:00Z&prefix={p}", t, p).then().extract();
        assertThat(ndjson.statusCode()).isEqualTo(200);
        assertThat(ndjson.contentType()).startsWith("application/x-ndjson");
        assertThat(ndjson.header("Asof-Basis-T")).isEqualTo(Long.toString(t));
        assertThat(ndjson.header("Asof-Lineage")).matches("[0-9a-f]{16}");
        assertThat(ndjson.header("Content-Disposition"))
                .isEqualTo("attachment; filename=\"prices-t" + t + "-valid-2026-06-01T000000Z.ndjson\"");
        List<JsonNode> rows = lines(ndjson.asString());
        assertThat(rows).extracting(row -> row.get("sku").asText()).containsExactly(p + "a", p + "b", p + "d");
        assertThat(ndjson.asString()).contains("\"amount\":19.990"); // as stored, scale included
        assertThat(rows.get(1).get("effectiveUntil").asText()).isEqualTo("2099-01-01T00:00:00Z");
        // The JSON page of the same point says the same.
        List<Map<String, Object>> page = given().get("/prices?asOf={t}&validAt=2026-06-01T00:00:00Z&prefix={p}", t, p)
                .then().statusCode(200).extract().jsonPath().getList("items");
        for (int i = 0; i < page.size(); i++) {
            assertThat(rows.get(i).get("t").asLong()).isEqualTo(((Number) page.get(i).get("t")).longValue());
            assertThat(rows.get(i).get("txInstant").asText()).isEqualTo(page.get(i).get("txInstant"));
        }

        ExtractableResponse<Response> csv = given().get("/prices?asOf={t}&validAt=2026-06-01T00:00:00Z&prefix={p}&format=csv",
                t, p).then().extract();
        assertThat(csv.contentType()).startsWith("text/csv");
        String[] csvLines = csv.asString().split("\r\n");
        assertThat(csvLines[0]).isEqualTo("sku,amount,currency,effectiveAt,effectiveUntil,t,txInstant");
        assertThat(csvLines).hasSize(4);
        assertThat(csvLines[1]).startsWith(p + "a,19.990,EUR,2026-01-01T00:00:00Z,,");
        assertThat(csvLines[2]).startsWith(p + "b,9.5,EUR,2026-01-01T00:00:00Z,2099-01-01T00:00:00Z,");
    }

    @Test
    void aClientThatTakesJsonGetsThePageAndBadExportRequestsAreRefused() {
        given().accept("*/*").get("/prices?limit=1").then().statusCode(200).contentType(startsWith("application/json"));
        given().accept("application/json, text/csv;q=0.5").get("/prices?limit=1").then().statusCode(200)
                .contentType(startsWith("application/json"));
        given().accept("text/csv, application/json;q=0.5").get("/prices?prefix=none-such").then().statusCode(200)
                .contentType(startsWith("text/csv"));
        given().get("/prices?format=xml").then().statusCode(400).contentType(startsWith("application/problem+json"))
                .body("detail", containsString("format"));
        given().get("/prices?format=csv&cursor=abc").then().statusCode(400)
                .body("detail", containsString("whole price list"));
        given().get("/events?until=999999999").then().statusCode(400).contentType(startsWith("application/problem+json"))
                .body("detail", containsString("beyond the database basis"));
        given().get("/events?after=x").then().statusCode(400).body("detail", containsString("after"));
        given().get("/events?format=json").then().statusCode(400).body("detail", containsString("ndjson or csv"));
        given().get("/events?after=5@0123456789abcdef").then().statusCode(400)
                .body("detail", containsString("another database"));
    }

    @Test
    void theEventsOfARangeAreToldAsEventsPostTakes() throws Exception {
        String p = prefix();
        String customerId = p + "cust";
        long before = send(at(p + "a", 1, JAN)) ;
        Map<String, Object> first = at(p + "a", "2.50", JAN);
        long t1 = send(with(first, "source", "pricing"));
        send(period(p + "a", 1, "2026-03-01T00:00:00Z", "2026-04-01T00:00:00Z"));
        send(end(p + "a", "2026-06-01T00:00:00Z"));
        send(at(p + "a", 5, "2062-01-01T00:00:00Z"));
        send(withdrawal(p + "a", "2062-01-01T00:00:00Z"));
        send(with(with(customer(customerId), "name", "Ada"), "city", "London"));
        send(with(with(customer(customerId), "city", null), "tier", "gold"));
        long last = send(with(customer(customerId), "deleted", true));

        String ndjson = given().get("/events?after={a}&until={u}", before, last).then().statusCode(200)
                .header("Asof-Basis-T", Long.toString(last))
                .header("Content-Disposition", "attachment; filename=\"events-after-" + before + "-until-" + last + ".ndjson\"")
                .extract().asString();
        List<JsonNode> events = lines(ndjson);
        assertThat(events).hasSize(8);
        assertThat(events.get(0).get("id").asText()).isEqualTo(first.get("id"));
        assertThat(ndjson.split("\n")[0]).contains("\"amount\":2.50").contains("\"source\":\"pricing\"");
        assertThat(events.get(1).get("effectiveUntil").asText()).isEqualTo("2026-04-01T00:00:00Z");
        assertThat(events.get(2).get("ended").asBoolean()).isTrue();
        assertThat(events.get(2).has("amount")).isFalse();
        assertThat(events.get(4).get("withdrawn").asBoolean()).isTrue();
        assertThat(events.get(5).get("name").asText()).isEqualTo("Ada");
        assertThat(events.get(6).has("city")).isTrue();
        assertThat(events.get(6).get("city").isNull()).isTrue();
        assertThat(events.get(6).get("tier").asText()).isEqualTo("gold");
        assertThat(events.get(6).has("clear")).isFalse();
        assertThat(events.get(7).get("deleted").asBoolean()).isTrue();

        String csv = given().accept("text/csv").get("/events?after={a}&until={u}", before, last).then().statusCode(200)
                .extract().asString();
        String[] rows = csv.split("\r\n");
        assertThat(rows[0]).isEqualTo(String.join(",", dev.asof.log.EventExport.COLUMNS));
        // Every column CSV in takes, and no other: what an export writes, an import reads.
        assertThat(dev.asof.log.EventExport.COLUMNS).containsExactlyInAnyOrderElementsOf(
                dev.asof.ingest.EventReader.csvColumns());
        assertThat(rows).hasSize(9);
        assertThat(rows[7]).contains(",city,"); // the clear column names the cleared field
        // Nothing after the last: an empty export.
        given().get("/events?after={a}&until={u}", last, last).then().statusCode(200).body(org.hamcrest.Matchers.emptyString());
        assertThat(t1).isGreaterThan(before);
    }
}
