package dev.asof.log;

import static dev.asof.support.Events.post;
import static dev.asof.support.Events.postNdjson;
import static dev.asof.support.Events.price;
import static dev.asof.support.Events.sku;
import static dev.asof.support.Events.with;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Reads of the Log cost what they return: a /changes page, a /tx/{t} answer and a change-stream
 * step hold at most asof.changes.page-datoms datoms and asof.changes.page-bytes bytes (3,000 and
 * 256 KiB in tests), a transaction larger than that comes in parts, and walking the parts gives
 * every event and change exactly once, in order.
 */
@QuarkusTest
class ChangePagesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** One request of this many prices is one transaction of about 10 datoms each: several pages. */
    private static final int EVENTS = 900;

    @TestHTTPResource("/changes/stream")
    URL stream;

    @Inject
    TxLog log;

    @Inject
    ObjectMapper mapper;

    @ConfigProperty(name = "asof.changes.page-bytes", defaultValue = "262144")
    long pageBytes;

    @ConfigProperty(name = "asof.changes.page-datoms", defaultValue = "3000")
    int pageDatoms;

    private long before;
    private List<String> sent;
    private long last;

    @BeforeEach
    void aLargeTransactionBetweenSmallOnes() {
        before = post(price(sku("pages-before"), 1, "EUR")).statusCode(201).extract().jsonPath().getLong("t");
        sent = new ArrayList<>();
        StringBuilder body = new StringBuilder();
        String versioned = sku("pages");
        for (int i = 0; i < EVENTS; i++) {
            // One SKU, a version a day: one transaction (no two events for one entity), few SKUs left behind.
            Map<String, Object> event = with(price(versioned, i + 1, "EUR"), "effectiveAt",
                    java.time.Instant.parse("2020-01-01T00:00:00Z").plus(java.time.Duration.ofDays(i)).toString());
            sent.add((String) event.get("id"));
            body.append(toJson(event)).append('\n');
        }
        postNdjson(body.toString()).statusCode(201);
        Map<String, Object> after = price(sku("pages-after"), 1, "EUR");
        sent.add((String) after.get("id"));
        last = post(after).statusCode(201).extract().jsonPath().getLong("t");
    }

    @Test
    void aPageIsBoundedByDatomsAndBytesAndTheCursorResumesInsideATransaction() throws Exception {
        List<JsonNode> items = new ArrayList<>();
        int pages = 0;
        boolean split = false;
        String link = "/changes?after=" + before + "&limit=1000";
        while (link != null) {
            Response response = given().urlEncodingEnabled(false).get(link).then().statusCode(200).extract().response();
            byte[] body = response.asByteArray();
            assertThat((long) body.length).as("page %d's bytes", pages).isLessThanOrEqualTo(pageBytes);
            JsonNode page = JSON.readTree(body);
            int entries = 0;
            for (JsonNode item : page.get("items")) {
                entries += item.get("events").size() + item.get("changes").size();
                split |= item.has("part");
                items.add(item);
            }
            assertThat(entries).as("page %d's events and changes", pages).isLessThanOrEqualTo(pageDatoms);
            String header = response.header("Link");
            link = header == null ? null : header.substring(header.indexOf('<') + 1, header.indexOf('>'));
            if (link != null) {
                link = link.substring(link.indexOf("/changes"));
            }
            pages++;
            assertThat(pages).as("pages walked").isLessThan(100);
        }
        assertThat(split).as("the large transaction came in parts").isTrue();
        assertThat(pages).isGreaterThan(2);
        assertEveryEventOnceInOrder(items);
    }

    @Test
    void aLargeTransactionIsReadInPartsFromTx() throws Exception {
        List<JsonNode> items = new ArrayList<>();
        long t = -1;
        for (JsonNode item : JSON.readTree(given().get("/changes?after={t}&limit=1", before).asByteArray()).get("items")) {
            t = item.get("t").asLong();
        }
        String link = "/tx/" + t;
        while (link != null) {
            Response response = given().urlEncodingEnabled(false).get(link).then().statusCode(200).extract().response();
            assertThat((long) response.asByteArray().length).isLessThanOrEqualTo(pageBytes);
            JsonNode item = JSON.readTree(response.asByteArray());
            items.add(item);
            String header = response.header("Link");
            link = header == null ? null : header.substring(header.indexOf("/tx/"), header.indexOf('>'));
            assertThat(items).hasSizeLessThan(100);
        }
        assertThat(items).hasSizeGreaterThan(1);
        assertThat(items.get(items.size() - 1).get("part").get("more").asBoolean()).isFalse();
        Set<String> ids = items.stream().flatMap(i -> ids(i).stream()).collect(Collectors.toSet());
        assertThat(items.stream().mapToInt(i -> i.get("events").size()).sum()).isEqualTo(ids.size());
        assertThat(ids).containsAll(sent.subList(0, EVENTS));
        given().get("/tx/{t}?cursor=nonsense", t).then().statusCode(400);
        given().get("/tx/{t}?cursor={c}", t - 1, items.get(0).get("part").get("next").asText()).then().statusCode(400);
    }

    @Test
    void aSubscriberFarBehindGetsEverythingInBoundedStepsAndResumesInsideATransaction() throws Exception {
        // Read the first part, then reconnect with its id (the cursor of the rest) and read on.
        List<String[]> first = read(Long.toString(before), 1);
        assertThat(first.get(0)[0]).as("a part's id is its cursor").doesNotMatch("[0-9]+");
        List<String[]> rest = read(first.get(0)[0], Integer.MAX_VALUE);
        List<JsonNode> items = new ArrayList<>();
        for (String[] event : first) {
            items.add(JSON.readTree(event[1]));
        }
        for (String[] event : rest) {
            assertThat((long) event[1].getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(pageBytes);
            items.add(JSON.readTree(event[1]));
        }
        assertEveryEventOnceInOrder(items);
    }

    /**
     * Whatever the bound, walking the Log in bounded reads gives the same events and changes, once
     * each and in order, as reading it whole; every read holds at most its datoms' worth of entries
     * and, unless it is a single entry that alone passes the bound, at most its bytes.
     */
    @Test
    void walkingTheLogInReadsOfAnyBoundGivesEveryEntryOnceInOrder() throws Exception {
        List<String> whole = new ArrayList<>();
        long t = before;
        while (t < last) {
            List<TxView> txs = log.after(t, 1000);
            for (TxView tx : txs) {
                if (tx.t() <= last) {
                    whole.addAll(entries(tx));
                }
                t = tx.t();
            }
        }
        java.util.Random random = new java.util.Random(19);
        for (int trial = 0; trial < 8; trial++) {
            TxLog.Bound bound = new TxLog.Bound(50 + random.nextInt(2000), 2000 + random.nextInt(100_000));
            int limit = 1 + random.nextInt(5);
            List<String> walked = new ArrayList<>();
            TxLog.Position position = TxLog.Position.after(before);
            int reads = 0;
            while (position.after() < last || position.index() > 0) {
                TxLog.Slice slice = log.read(position, limit, bound);
                List<String> got = new ArrayList<>();
                for (TxView item : slice.items()) {
                    if (item.t() <= last) {
                        got.addAll(entries(item));
                    }
                }
                assertThat(slice.items()).hasSizeLessThanOrEqualTo(limit);
                assertThat(got.size()).as("%s, limit %d", bound, limit).isLessThanOrEqualTo(bound.datoms());
                if (got.size() > 1) {
                    assertThat((long) mapper.writeValueAsBytes(slice.items()).length).as("%s", bound)
                            .isLessThanOrEqualTo(bound.bytes());
                }
                walked.addAll(got);
                assertThat(slice.next()).as("every read moves on").isNotEqualTo(position);
                position = slice.next();
                assertThat(++reads).isLessThan(10_000);
            }
            // A part lists its events, then its changes: compare each kind in its order.
            for (String kind : List.of(" event ", " change ")) {
                assertThat(walked.stream().filter(e -> e.contains(kind)).toList()).as("%s, limit %d", bound, limit)
                        .isEqualTo(whole.stream().filter(e -> e.contains(kind)).toList());
            }
        }
    }

    /** A transaction's events and changes as text, each once. */
    private List<String> entries(TxView tx) throws Exception {
        List<String> entries = new ArrayList<>();
        for (TxView.EventRef event : tx.events()) {
            entries.add(tx.t() + " event " + mapper.writeValueAsString(event));
        }
        for (TxView.Change change : tx.changes()) {
            entries.add(tx.t() + " change " + mapper.writeValueAsString(change));
        }
        return entries;
    }

    /** Every event sent after {@code before} comes once, in t order, and no change of a transaction repeats. */
    private void assertEveryEventOnceInOrder(List<JsonNode> items) {
        List<String> ids = items.stream().flatMap(i -> ids(i).stream()).toList();
        assertThat(ids).doesNotHaveDuplicates();
        assertThat(ids).containsAll(sent);
        assertThat(items.stream().map(i -> i.get("t").asLong()).toList()).isSorted();
        // The parts of a transaction follow each other, datom ranges adjacent; its changes come once.
        Set<String> changes = new HashSet<>();
        JsonNode previous = null;
        for (JsonNode item : items) {
            for (JsonNode change : item.get("changes")) {
                assertThat(changes.add(item.get("t") + " " + change)).as("change %s", change).isTrue();
            }
            if (item.has("part") && item.get("part").get("from").asInt() > 0) {
                assertThat(previous).isNotNull();
                assertThat(previous.get("t").asLong()).isEqualTo(item.get("t").asLong());
                assertThat(previous.get("part").get("to").asInt()).isEqualTo(item.get("part").get("from").asInt());
            }
            previous = item;
        }
        long amounts = items.stream().filter(i -> i.get("t").asLong() <= last)
                .flatMap(i -> iterable(i.get("changes")).stream())
                .filter(c -> "amount".equals(c.get("attribute").asText())).count();
        assertThat(amounts).as("one amount asserted per event").isEqualTo(sent.size());
    }

    private static List<JsonNode> iterable(JsonNode array) {
        List<JsonNode> list = new ArrayList<>();
        array.forEach(list::add);
        return list;
    }

    private static List<String> ids(JsonNode item) {
        return iterable(item.get("events")).stream().map(e -> e.get("id").asText()).toList();
    }

    private static String toJson(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Reads tx events from the stream with Last-Event-ID {@code lastId} until {@code count} or the one at {@link #last}: [id, data]. */
    private List<String[]> read(String lastId, int count) {
        return dev.asof.support.ServerSentEvents.read(stream, lastId, count, id -> dev.asof.support.ServerSentEvents.t(id).equals(Long.toString(last)));
    }
}
