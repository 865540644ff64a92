package dev.asof.datomic;

import static dev.asof.support.Events.customer;
import static dev.asof.support.Events.post;
import static dev.asof.support.Events.postNdjson;
import static dev.asof.support.Events.price;
import static dev.asof.support.Events.sku;
import static dev.asof.support.Events.with;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.asof.support.HistoryPages;
import dev.asof.support.OwnDatabase;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * History pages against a naive reading of the events sent: random runs of events that change a
 * price or a customer and events that change nothing, for a few SKUs and customers. A page may read
 * one event beyond its limit here ({@code asof.reads.scan=1}), so an event that changed nothing and
 * is still read by a page shows as a short page. Run again with {@code -Dasof.test.seed=…} to repeat
 * a failure.
 */
@QuarkusTest
@TestProfile(HistoryPagesPropertyTest.ScanOfOne.class)
class HistoryPagesPropertyTest {
    public static class ScanOfOne extends OwnDatabase {
        public ScanOfOne() {
            super("asof-history-pages", "asof.reads.scan", "1");
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> VALID_TIMES = List.of("2024-01-01T00:00:00Z", "2024-06-01T00:00:00Z");
    /** Few values, so that many events repeat what is there; 1 and 1.0 differ (Datomic keeps the scale). */
    private static final List<String> AMOUNTS = List.of("1", "1.0", "2");
    private static final List<String> CURRENCIES = List.of("EUR", "USD");
    /** In a fixed order, so that a seed repeats a run. */
    private static final Map<String, List<String>> FIELDS = new TreeMap<>(Map.of("name", List.of("Ada", "Bea"),
            "tier", List.of("gold", "silver"), "city", List.of("Paris", "Rome")));

    @Test
    void historyPagesListEveryChangeOnceAndArePartOnlyAtTheEnd() throws Exception {
        long seed = Long.getLong("asof.test.seed", System.nanoTime());
        Random random = new Random(seed);
        String run = UUID.randomUUID().toString().substring(0, 8);
        List<String> skus = List.of(sku("prop-a"), sku("prop-b"), sku("prop-c"));
        List<String> customers = List.of("prop-" + run + "-a", "prop-" + run + "-b", "prop-" + run + "-c");

        // The naive reading: each version's and customer's state, in the order their events are sent
        // (the order the service keeps for each of them), and the items each event adds to its history.
        Map<String, String[]> versions = new TreeMap<>();
        Map<String, Map<String, String>> held = new TreeMap<>();
        List<Map<String, Object>> events = new ArrayList<>();
        List<String> histories = new ArrayList<>();
        List<List<String>> made = new ArrayList<>();
        for (int i = 0; i < 160; i++) {
            Map<String, Object> event;
            List<String> items = new ArrayList<>();
            if (random.nextBoolean()) {
                String sku = skus.get(random.nextInt(skus.size()));
                String validAt = VALID_TIMES.get(random.nextInt(VALID_TIMES.size()));
                String[] now = {AMOUNTS.get(random.nextInt(AMOUNTS.size())), CURRENCIES.get(random.nextInt(CURRENCIES.size()))};
                event = with(price(sku, now[0], now[1]), "effectiveAt", validAt);
                String[] then = versions.put(sku + "@" + validAt, now);
                histories.add("/prices/" + sku + "/history");
                if (!Arrays.equals(then, now)) {
                    if (then != null) {
                        items.add(priceItem("retract", then, validAt, event));
                    }
                    items.add(priceItem("assert", now, validAt, event));
                }
            } else {
                String id = customers.get(random.nextInt(customers.size()));
                event = customer(id);
                Map<String, String> then = held.get(id);
                Map<String, String> now;
                if (random.nextInt(6) == 0) {
                    event = with(event, "deleted", true);
                    now = null;
                } else {
                    now = new TreeMap<>(then == null ? Map.of("id", id) : then);
                    boolean sets = false;
                    boolean clears = false;
                    for (Map.Entry<String, List<String>> field : FIELDS.entrySet()) {
                        switch (random.nextInt(3)) {
                            case 0 -> { } // not sent: kept
                            case 1 -> {
                                event = with(event, field.getKey(), null);
                                now.remove(field.getKey());
                                clears = true;
                            }
                            default -> {
                                String value = field.getValue().get(random.nextInt(field.getValue().size()));
                                event = with(event, field.getKey(), value);
                                now.put(field.getKey(), value);
                                sets = true;
                            }
                        }
                    }
                    if (then == null && clears && !sets) {
                        now = null; // only clears, of a customer that is not there: nothing is created
                    }
                }
                if (now == null) {
                    held.remove(id);
                } else {
                    held.put(id, now);
                }
                // Items sort by attribute, a retraction before the assertion that replaces it.
                TreeSet<String> attributes = new TreeSet<>();
                if (then != null) {
                    attributes.addAll(then.keySet());
                }
                if (now != null) {
                    attributes.addAll(now.keySet());
                }
                histories.add("/customers/" + id + "/history");
                for (String attribute : attributes) {
                    String old = then == null ? null : then.get(attribute);
                    String value = now == null ? null : now.get(attribute);
                    if (old != null && !old.equals(value)) {
                        items.add(customerItem("retract", attribute, old, event));
                    }
                    if (value != null && !value.equals(old)) {
                        items.add(customerItem("assert", attribute, value, event));
                    }
                }
            }
            events.add(event);
            made.add(items);
        }
        // Sent in requests of 1 to 20 events: transactions hold several subjects, and an entity's
        // events in one request go one a transaction, in order (the versions of one SKU may not).
        List<Long> ts = new ArrayList<>();
        for (int from = 0; from < events.size(); ) {
            int to = Math.min(events.size(), from + 1 + random.nextInt(20));
            StringBuilder body = new StringBuilder();
            for (Map<String, Object> event : events.subList(from, to)) {
                body.append(JSON.writeValueAsString(event)).append('\n');
            }
            ts.addAll(postNdjson(body.toString()).statusCode(201).extract().jsonPath().getList("events.t", Long.class));
            from = to;
        }
        // A history lists its events by t, and within a transaction in the order they were sent.
        Map<String, List<String>> expected = new LinkedHashMap<>();
        skus.forEach(sku -> expected.put("/prices/" + sku + "/history", new ArrayList<>()));
        customers.forEach(id -> expected.put("/customers/" + id + "/history", new ArrayList<>()));
        IntStream.range(0, events.size()).boxed()
                .sorted(Comparator.comparing(ts::get))
                .forEach(i -> expected.get(histories.get(i)).addAll(made.get(i)));

        for (Map.Entry<String, List<String>> subject : expected.entrySet()) {
            for (String order : List.of("asc", "desc")) {
                List<String> want = new ArrayList<>(subject.getValue());
                if (order.equals("desc")) {
                    Collections.reverse(want);
                }
                for (int limit : List.of(1, 2, 5)) {
                    List<List<String>> pages = HistoryPages.walk(subject.getKey(), order, limit,
                            HistoryPagesPropertyTest::item);
                    String what = subject.getKey() + "?order=" + order + "&limit=" + limit + " (seed " + seed + ")";
                    assertThat(pages.stream().flatMap(List::stream).toList()).as(what).isEqualTo(want);
                    for (int p = 0; p < pages.size() - 1; p++) {
                        assertThat(pages.get(p)).as("page %d of %d of %s: full, as more follow", p + 1, pages.size(), what)
                                .hasSize(limit);
                    }
                    assertThat(pages.get(pages.size() - 1)).as("last page of %s", what)
                            .hasSizeBetween(want.isEmpty() ? 0 : 1, limit);
                }
            }
        }
    }

    /**
     * An event that changed nothing is still a recorded event: /tx and /changes name it, its type and
     * subject, as they did when it was in the history index.
     */
    @Test
    void eventsThatChangedNothingAreStillToldByTxAndChanges() {
        String sku = sku("told");
        Map<String, Object> first = with(price(sku, 3, "EUR"), "effectiveAt", VALID_TIMES.get(0));
        post(first).statusCode(201);
        Map<String, Object> again = with(first, "id", UUID.randomUUID().toString());
        String subject = "price:" + PriceKeys.of(sku, Instant.parse(VALID_TIMES.get(0)).toEpochMilli());
        assertToldUnchanged(post(again).statusCode(201).extract().jsonPath().getLong("t"), again, "price", subject);

        String id = "told-" + UUID.randomUUID();
        Map<String, Object> created = with(customer(id), "name", "Ada");
        post(created).statusCode(201);
        Map<String, Object> same = with(created, "id", UUID.randomUUID().toString());
        assertToldUnchanged(post(same).statusCode(201).extract().jsonPath().getLong("t"), same, "customer", "customer:" + id);

        Map<String, Object> absent = with(customer("told-absent-" + UUID.randomUUID()), "deleted", true);
        assertToldUnchanged(post(absent).statusCode(201).extract().jsonPath().getLong("t"), absent, "customer",
                "customer:" + absent.get("customerId"));
    }

    private static void assertToldUnchanged(long t, Map<String, Object> event, String type, String subject) {
        given().get("/tx/{t}", t).then().statusCode(200)
                .body("events.id", equalTo(List.of(event.get("id"))))
                .body("events[0].type", equalTo(type))
                .body("events[0].subject", equalTo(subject))
                .body("changes", empty());
        given().queryParam("after", t - 1).queryParam("limit", 1).get("/changes").then().statusCode(200)
                .body("items[0].t", equalTo((int) t))
                .body("items[0].events[0].id", equalTo(event.get("id")))
                .body("items[0].events[0].type", equalTo(type))
                .body("items[0].events[0].subject", equalTo(subject));
    }

    private static String priceItem(String op, String[] version, String validAt, Map<String, Object> event) {
        return op + " " + version[0] + " " + version[1] + " " + Instant.parse(validAt) + " " + event.get("id");
    }

    private static String customerItem(String op, String attribute, String value, Map<String, Object> event) {
        return op + " " + attribute + " " + value + " " + event.get("id");
    }

    /** An item of a history page as the naive reading writes it. */
    private static String item(JsonNode item) {
        return item.has("amount")
                ? item.get("op").asText() + " " + item.get("amount").decimalValue().toPlainString() + " "
                        + item.get("currency").asText() + " " + Instant.parse(item.get("effectiveAt").asText()) + " "
                        + item.get("eventId").asText()
                : item.get("op").asText() + " " + item.get("attribute").asText() + " " + item.get("value").asText() + " "
                        + item.get("eventId").asText();
    }
}
