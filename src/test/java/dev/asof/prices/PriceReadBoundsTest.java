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
import datomic.Util;
import dev.asof.datomic.Attr;
import dev.asof.datomic.DatomicStore;
import dev.asof.support.HistoryPages;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * Price pages cost a page: at a point before every price, a /prices page examines at most limit +
 * asof.reads.scan SKUs, and a history page at most limit + asof.reads.scan events, and each ends
 * early (short or empty, with a cursor) instead of visiting every SKU or every indexed event that
 * changed nothing; events that change nothing are recorded out of the history index.
 */
@QuarkusTest
class PriceReadBoundsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @ConfigProperty(name = "asof.reads.scan", defaultValue = "1000")
    int scan;
    @Inject
    DatomicStore store;

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
        List<Long> ts = postNdjson(body.toString()).statusCode(201).extract().jsonPath().getList("events.t", Long.class);
        long t = ts.stream().mapToLong(Long::longValue).max().orElseThrow(); // every SKU is there

        // At a settled basis, a page a read bound ended is not an answer to keep for ever (its shape is
        // the setting's); a page its limit ended is.
        var bounded = given().queryParam("validAt", "0001-01-01T00:00:00Z").queryParam("prefix", prefix)
                .queryParam("limit", 1).queryParam("asOf", t).get("/prices");
        assertThat(bounded.jsonPath().getString("next")).isNotNull();
        assertThat(String.valueOf(bounded.header("Cache-Control"))).as("a page the scan bound ended").doesNotContain("immutable");
        var full = given().queryParam("validAt", "2031-01-01T00:00:00Z").queryParam("prefix", prefix)
                .queryParam("limit", 1).queryParam("asOf", t).get("/prices");
        assertThat(full.header("Cache-Control")).as("a page its limit ended").contains("immutable");

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

    /**
     * The case: one price sent again and again under new ids. Those events changed nothing,
     * so they are recorded out of the SKU's history index, and the newest page is the real change
     * however many of them there are.
     */
    @Test
    void aPriceResentUnderNewIdsIsNotReadByItsHistoryPages() throws Exception {
        String sku = sku("resent");
        Map<String, Object> first = with(price(sku, 1, "EUR"), "effectiveAt", "2024-01-01T00:00:00Z");
        post(first).statusCode(201);
        resend(first, scan + 1);

        JsonPath newest = given().queryParam("order", "desc").queryParam("limit", 1)
                .get("/prices/{sku}/history", sku).then().statusCode(200).extract().jsonPath();
        assertThat(newest.getList("items.eventId")).containsExactly((String) first.get("id"));
        assertThat(newest.getString("next")).as("nothing else to read").isNull();

        // A real change after the re-sends: one item a page, every page full, none empty.
        Map<String, Object> real = with(first, "amount", 2);
        real.put("id", UUID.randomUUID().toString());
        post(real).statusCode(201);
        resend(real, scan + 1);
        List<List<String>> pages = pages(sku, "desc", 1);
        assertThat(pages).extracting(List::size).containsExactly(1, 1, 1);
        assertThat(pages).extracting(page -> page.get(0))
                .containsExactly("assert 2 " + real.get("id"), "retract 1 " + real.get("id"), "assert 1 " + first.get("id"));
    }

    /**
     * Events recorded in the index although they changed nothing (by releases before they were
     * recorded out of it: a journal replays its transaction data as it was) are known for what they
     * are only once read: a history page reads at most limit + asof.reads.scan of them, and ends early.
     */
    @Test
    void aHistoryPageReadsABoundedNumberOfIndexedEventsThatChangedNothing() throws Exception {
        String sku = sku("noop");
        Map<String, Object> first = with(price(sku, 1, "EUR"), "effectiveAt", "2024-01-01T00:00:00Z");
        Map<String, Object> real = with(first, "amount", 2);
        real.put("id", UUID.randomUUID().toString());
        post(first).statusCode(201);
        post(real).statusCode(201);
        int resent = 2 * scan;
        Date effectiveAt = Date.from(Instant.parse("2024-01-01T00:00:00Z"));
        for (int i = 0; i < resent; i++) {
            // As an earlier release recorded a re-send: one a transaction, with the indexed :event/sku.
            store.connection().transact(List.of(Util.map(Attr.DB_ID, "e", Attr.EVENT_ID, UUID.randomUUID(),
                    Attr.EVENT_HASH, "earlier", Attr.EVENT_SKU, sku, Attr.EVENT_EFFECTIVE_AT, effectiveAt))).get();
        }

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
        assertThat(pages(sku, "asc", 1000)).flatExtracting(page -> page)
                .containsExactly("assert 1 " + first.get("id"), "retract 1 " + real.get("id"), "assert 2 " + real.get("id"));
    }

    /** Sends {@code event} again {@code times} times, each under a new id, in one NDJSON request. */
    private static void resend(Map<String, Object> event, int times) throws Exception {
        StringBuilder body = new StringBuilder();
        for (int i = 0; i < times; i++) {
            Map<String, Object> again = new LinkedHashMap<>(event);
            again.put("id", UUID.randomUUID().toString());
            body.append(JSON.writeValueAsString(again)).append('\n');
        }
        postNdjson(body.toString()).statusCode(anyOf(is(201), is(200)));
    }

    /** Every page of the SKU's history, walked to the end: each item as "op amount eventId". */
    private static List<List<String>> pages(String sku, String order, int limit) {
        return HistoryPages.walk("/prices/" + sku + "/history", order, limit, item -> item.get("op").asText() + " "
                + item.get("amount").decimalValue().toPlainString() + " " + item.get("eventId").asText());
    }
}
