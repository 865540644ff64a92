package dev.asof;

import static dev.asof.support.Events.post;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Property: for random sequences of price events (out-of-order valid times, corrections, scheduled
 * prices, same-SKU bursts in one request) and customer updates and deletions, the as-of / valid-at
 * answers (every customer at every t; every SKU at every probed valid time at a seeded third of the
 * t values) and every history are what a plain in-memory model of the same events says.
 * Each seed is one generated case; a failure names its seed, so it can be replayed.
 */
@QuarkusTest
class TimeModelPropertyTest {
    private static final String[] CURRENCIES = {"EUR", "USD"};
    private static final String[] NAMES = {"Ada", "Grace", "Alan"};
    private static final String[] TIERS = {"bronze", "silver", "gold"};
    private static final Instant SCHEDULED = Instant.parse("2999-01-01T00:00:00Z");

    /** A committed price fact in the model. */
    record Price(long t, String sku, Instant effectiveAt, int amount, String currency, String eventId) {
    }

    /** A committed customer event in the model: fields set (null value = clear), or deletion. */
    record Customer(long t, String id, Map<String, String> fields, boolean deleted, String eventId) {
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
    void answersMatchTheModel(long seed) {
        Random random = new Random(seed);
        String run = "p" + seed + "-" + UUID.randomUUID().toString().substring(0, 6);
        List<String> skus = List.of(run + "-a", run + "-b", run + "-c");
        List<String> customers = List.of(run + "-x", run + "-y");
        List<Instant> validTimes = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            validTimes.add(Instant.parse("2026-01-01T00:00:00Z").plusSeconds(86_400L * random.nextInt(60)));
        }
        validTimes.add(SCHEDULED);

        List<Price> prices = new ArrayList<>();
        List<Customer> customerEvents = new ArrayList<>();
        List<Long> ts = new ArrayList<>();
        for (int request = 0; request < 25; request++) {
            int size = random.nextInt(4) == 0 ? 2 + random.nextInt(4) : 1;
            List<Map<String, Object>> events = new ArrayList<>();
            for (int i = 0; i < size; i++) {
                events.add(random.nextInt(4) == 0 ? customerEvent(random, customers) : priceEvent(random, skus, validTimes));
            }
            JsonPath result = post(events.size() == 1 ? events.get(0) : events).statusCode(201).extract().jsonPath();
            for (int i = 0; i < events.size(); i++) {
                Map<String, Object> e = events.get(i);
                long t = result.getLong("events[" + i + "].t");
                ts.add(t);
                if ("price".equals(e.get("type"))) {
                    prices.add(new Price(t, (String) e.get("sku"), Instant.parse((String) e.get("effectiveAt")),
                            (Integer) e.get("amount"), (String) e.get("currency"), (String) e.get("id")));
                } else {
                    Map<String, String> fields = new LinkedHashMap<>();
                    for (String f : List.of("name", "tier", "city")) {
                        if (e.containsKey(f)) {
                            fields.put(f, (String) e.get(f));
                        }
                    }
                    customerEvents.add(new Customer(t, (String) e.get("customerId"), fields,
                            Boolean.TRUE.equals(e.get("deleted")), (String) e.get("id")));
                }
            }
        }
        prices.sort((a, b) -> Long.compare(a.t(), b.t()));
        customerEvents.sort((a, b) -> Long.compare(a.t(), b.t()));
        List<Long> points = ts.stream().distinct().sorted().toList();

        List<Instant> probes = new ArrayList<>(validTimes);
        probes.add(Instant.parse("2025-12-31T00:00:00Z"));
        validTimes.forEach(v -> probes.add(v.plusSeconds(3600)));
        // Prices at a seeded third of the points (always the first and the last), every SKU and
        // probe at each: a third of the requests, and each t still has its chance in some seed.
        Random sample = new Random(seed * 31);
        for (long t : points) {
            boolean probed = t == points.get(0) || t == points.get(points.size() - 1) || sample.nextInt(3) == 0;
            for (String sku : probed ? skus : List.<String>of()) {
                for (Instant v : probes) {
                    checkPrice(seed, prices, sku, t, v);
                }
            }
            for (String id : customers) {
                checkCustomer(seed, customerEvents, id, t);
            }
        }
        for (String sku : skus) {
            checkPriceHistory(seed, prices, sku);
        }
        for (String id : customers) {
            checkCustomerHistory(seed, customerEvents, id);
        }
    }

    private static Map<String, Object> priceEvent(Random random, List<String> skus, List<Instant> validTimes) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("id", UUID.randomUUID().toString());
        e.put("type", "price");
        e.put("sku", skus.get(random.nextInt(skus.size())));
        e.put("amount", random.nextInt(5));
        e.put("currency", CURRENCIES[random.nextInt(4) == 0 ? 1 : 0]);
        e.put("effectiveAt", validTimes.get(random.nextInt(validTimes.size())).toString());
        return e;
    }

    private static Map<String, Object> customerEvent(Random random, List<String> customers) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("id", UUID.randomUUID().toString());
        e.put("type", "customer");
        e.put("customerId", customers.get(random.nextInt(customers.size())));
        if (random.nextInt(6) == 0) {
            e.put("deleted", true);
            return e;
        }
        if (random.nextBoolean()) {
            e.put("name", random.nextInt(4) == 0 ? null : NAMES[random.nextInt(NAMES.length)]);
        }
        if (random.nextBoolean()) {
            e.put("tier", random.nextInt(4) == 0 ? null : TIERS[random.nextInt(TIERS.length)]);
        }
        if (random.nextInt(3) == 0) {
            e.put("city", random.nextInt(3) == 0 ? null : "Paris");
        }
        return e;
    }

    /** The model's price: per valid time the latest fact recorded at or before t; the latest valid time at or before v. */
    private static void checkPrice(long seed, List<Price> prices, String sku, long t, Instant v) {
        TreeMap<Instant, Price> versions = new TreeMap<>();
        for (Price p : prices) {
            if (p.sku().equals(sku) && p.t() <= t) {
                versions.put(p.effectiveAt(), p);
            }
        }
        Map.Entry<Instant, Price> expected = versions.floorEntry(v);
        Response response = given().get("/prices/{sku}?asOf={t}&validAt={v}", sku, t, v.toString());
        String where = "seed " + seed + ": " + sku + " asOf " + t + " validAt " + v;
        if (expected == null) {
            assertThat(response.statusCode()).as(where).isEqualTo(404);
            return;
        }
        assertThat(response.statusCode()).as(where).isEqualTo(200);
        assertThat(response.jsonPath().getInt("amount")).as(where).isEqualTo(expected.getValue().amount());
        assertThat(response.jsonPath().getString("currency")).as(where).isEqualTo(expected.getValue().currency());
        assertThat(Instant.parse(response.jsonPath().getString("effectiveAt"))).as(where).isEqualTo(expected.getKey());
    }

    /** The model's history: per valid time, each change of (amount, currency) retracts the old and asserts the new. */
    private static void checkPriceHistory(long seed, List<Price> prices, String sku) {
        Map<Instant, Price> current = new HashMap<>();
        List<String> expected = new ArrayList<>();
        for (Price p : prices) {
            if (!p.sku().equals(sku)) {
                continue;
            }
            Price old = current.get(p.effectiveAt());
            if (old != null && old.amount() == p.amount() && old.currency().equals(p.currency())) {
                continue; // the same value again adds no datom
            }
            if (old != null) {
                expected.add(p.t() + " " + p.effectiveAt() + " retract " + old.amount() + " " + old.currency() + " " + p.eventId());
            }
            expected.add(p.t() + " " + p.effectiveAt() + " assert " + p.amount() + " " + p.currency() + " " + p.eventId());
            current.put(p.effectiveAt(), p);
        }
        // By t; within a transaction, events in the order they were sent (the list's), each event's
        // retraction before its assertion (as added above). The sort is stable.
        expected.sort(java.util.Comparator.comparingLong(item -> Long.parseLong(item.split(" ")[0])));
        JsonPath history = given().get("/prices/{sku}/history?limit=1000", sku).then().statusCode(200).extract().jsonPath();
        List<String> actual = new ArrayList<>();
        for (int i = 0; i < history.getList("items").size(); i++) {
            String item = "items[" + i + "].";
            actual.add(history.getLong(item + "t") + " " + history.getString(item + "effectiveAt") + " "
                    + history.getString(item + "op") + " " + history.getInt(item + "amount") + " "
                    + history.getString(item + "currency") + " " + history.getString(item + "eventId"));
        }
        assertThat(actual).as("seed " + seed + ": history of " + sku).isEqualTo(expected);
    }

    /** The model's customer at t: events applied in order; deletion forgets everything. */
    private static Map<String, String> customerAt(List<Customer> events, String id, long t) {
        Map<String, String> state = null;
        for (Customer c : events) {
            if (!c.id().equals(id) || c.t() > t) {
                continue;
            }
            if (c.deleted()) {
                state = null;
                continue;
            }
            if (state == null && !c.fields().isEmpty()
                    && c.fields().values().stream().allMatch(java.util.Objects::isNull)) {
                continue; // only clears, of a customer that is not there: nothing is created
            }
            state = state == null ? new HashMap<>() : state;
            for (Map.Entry<String, String> f : c.fields().entrySet()) {
                if (f.getValue() == null) {
                    state.remove(f.getKey());
                } else {
                    state.put(f.getKey(), f.getValue());
                }
            }
        }
        return state;
    }

    private static void checkCustomer(long seed, List<Customer> events, String id, long t) {
        Map<String, String> expected = customerAt(events, id, t);
        Response response = given().get("/customers/{id}?asOf={t}", id, t);
        String where = "seed " + seed + ": customer " + id + " asOf " + t;
        if (expected == null) {
            assertThat(response.statusCode()).as(where).isEqualTo(404);
            return;
        }
        assertThat(response.statusCode()).as(where).isEqualTo(200);
        for (String f : List.of("name", "tier", "city")) {
            assertThat(response.jsonPath().getString(f)).as(where + " " + f).isEqualTo(expected.get(f));
        }
    }

    /** The model's attribute history: what changed between the states before and after each event. */
    private static void checkCustomerHistory(long seed, List<Customer> events, String id) {
        List<String> expected = new ArrayList<>();
        Map<String, String> before = null;
        for (Customer c : events) {
            if (!c.id().equals(id)) {
                continue;
            }
            Map<String, String> after = customerAt(events, id, c.t());
            Map<String, String> b = before == null ? Map.of() : withId(before, id);
            Map<String, String> a = after == null ? Map.of() : withId(after, id);
            for (String f : List.of("city", "id", "name", "tier")) {
                String old = b.get(f);
                String now = a.get(f);
                if (old != null && !old.equals(now)) {
                    expected.add(c.t() + " " + f + " retract " + old);
                }
                if (now != null && !now.equals(old)) {
                    expected.add(c.t() + " " + f + " assert " + now);
                }
            }
            before = after;
        }
        JsonPath history = given().get("/customers/{id}/history?limit=1000", id).then().statusCode(200).extract().jsonPath();
        List<String> actual = new ArrayList<>();
        for (int i = 0; i < history.getList("items").size(); i++) {
            String item = "items[" + i + "].";
            actual.add(history.getLong(item + "t") + " " + history.getString(item + "attribute") + " "
                    + history.getString(item + "op") + " " + history.getString(item + "value"));
        }
        assertThat(actual).as("seed " + seed + ": history of customer " + id).isEqualTo(expected);
    }

    private static Map<String, String> withId(Map<String, String> state, String id) {
        Map<String, String> copy = new HashMap<>(state);
        copy.put("id", id);
        return copy;
    }
}
