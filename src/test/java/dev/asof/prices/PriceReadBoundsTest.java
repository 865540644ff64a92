package dev.asof.prices;

import static dev.asof.support.Events.post;
import static dev.asof.support.Events.postNdjson;
import static dev.asof.support.Events.price;
import static dev.asof.support.Events.sku;
import static dev.asof.support.Events.with;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.anyOf;
import static org.hamcrest.Matchers.is;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * Price pages cost a page: at a point before every price, a /prices page examines at most limit +
 * asof.reads.scan SKUs, and a history page at most limit + asof.reads.scan events, and each ends
 * early (short or empty, with a cursor) instead of visiting every SKU or every event that changed
 * nothing.
 */
@QuarkusTest
class PriceReadBoundsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @ConfigProperty(name = "asof.reads.scan", defaultValue = "1000")
    int scan;

    @Test
    void aPageBeforeEveryPriceExaminesABoundedNumberOfSkus() throws Exception {
        String prefix = sku("scan");
        int skus = scan + 100;
        List<String> sent = new ArrayList<>();
        StringBuilder body = new StringBuilder();
        for (int i = 0; i < skus; i++) {
            String sku = String.format("%s-%05d", prefix, i);
            sent.add(sku);
            body.append(JSON.writeValueAsString(with(price(sku, 1, "EUR"), "effectiveAt", "2030-01-01T00:00:00Z")))
                    .append('\n');
        }
        postNdjson(body.toString()).statusCode(201);

        // Nothing is in force in year 1: each page is empty, and each examined at most 1 + list-scan SKUs,
        // so walking them takes more than one page; the last says there is no more.
        int pages = 0;
        String cursor = null;
        do {
            var request = given().queryParam("validAt", "0001-01-01T00:00:00Z").queryParam("prefix", prefix)
                    .queryParam("limit", 1);
            if (cursor != null) {
                request.queryParam("cursor", cursor);
            }
            JsonPath page = request.get("/prices").then().statusCode(200).extract().jsonPath();
            assertThat(page.getList("items")).isEmpty();
            cursor = page.getString("next");
            pages++;
        } while (cursor != null && pages < 10);
        assertThat(pages).as("pages of at most %d SKUs over %d", 1 + scan, skus)
                .isEqualTo((skus + scan) / (1 + scan));

        // Where they are in force, walking the pages lists every SKU once, in order.
        List<String> listed = new ArrayList<>();
        cursor = null;
        do {
            var request = given().queryParam("validAt", "2031-01-01T00:00:00Z").queryParam("prefix", prefix)
                    .queryParam("limit", 500);
            if (cursor != null) {
                request.queryParam("cursor", cursor);
            }
            JsonPath page = request.get("/prices").then().statusCode(200).extract().jsonPath();
            listed.addAll(page.getList("items.sku"));
            cursor = page.getString("next");
        } while (cursor != null && listed.size() <= skus);
        assertThat(listed).isEqualTo(sent);
    }

    @Test
    void aHistoryPageReadsABoundedNumberOfEventsThatChangedNothing() throws Exception {
        String sku = sku("noop");
        Map<String, Object> first = with(price(sku, 1, "EUR"), "effectiveAt", "2024-01-01T00:00:00Z");
        Map<String, Object> real = with(first, "amount", 2);
        real.put("id", java.util.UUID.randomUUID().toString());
        post(first).statusCode(201);
        post(real).statusCode(201);
        int resent = 2 * scan;
        StringBuilder body = new StringBuilder();
        for (int i = 0; i < resent; i++) {
            Map<String, Object> again = new java.util.LinkedHashMap<>(real);
            again.put("id", java.util.UUID.randomUUID().toString());
            body.append(JSON.writeValueAsString(again)).append('\n');
        }
        postNdjson(body.toString()).statusCode(anyOf(is(201), is(200)));

        // Newest first, one item a page: the pages over the re-sends are empty, each read at most
        // 1 + scan events, and then the real change (2 replacing 1) comes.
        List<String> events = new ArrayList<>();
        int pages = 0;
        String cursor = null;
        do {
            var request = given().queryParam("order", "desc").queryParam("limit", 1);
            if (cursor != null) {
                request.queryParam("cursor", cursor);
            }
            JsonPath page = request.get("/prices/{sku}/history", sku).then().statusCode(200).extract().jsonPath();
            events.addAll(page.getList("items.eventId"));
            cursor = page.getString("next");
            pages++;
        } while (events.isEmpty() && cursor != null && pages < 10);
        assertThat(events).containsExactly((String) real.get("id"));
        assertThat(pages).as("pages of at most %d events over %d that changed nothing", 1 + scan, resent)
                .isBetween(2, resent / scan + 1);

        // Oldest first, walked to the end: every real change once, in order, none of the re-sends.
        List<Map<String, Object>> items = new ArrayList<>();
        cursor = null;
        pages = 0;
        do {
            var request = given().queryParam("limit", 1000);
            if (cursor != null) {
                request.queryParam("cursor", cursor);
            }
            JsonPath page = request.get("/prices/{sku}/history", sku).then().statusCode(200).extract().jsonPath();
            items.addAll(page.getList("items"));
            cursor = page.getString("next");
            pages++;
        } while (cursor != null && pages < 10);
        assertThat(items).extracting(i -> i.get("op") + " " + i.get("amount"))
                .containsExactly("assert 1", "retract 1", "assert 2");
    }
}
