package dev.asof;

import static dev.asof.support.Events.post;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import java.util.UUID;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Property: for random sequences of price events (out-of-order valid times, corrections, scheduled
 * prices, same-SKU bursts in one request) and customer updates and deletions, the as-of / valid-at
 * answers (every customer at every t; every SKU at every probed valid time at a seeded third of the
 * t values) and every history are what a plain in-memory model of the same events says.
 * A second property does the same for valid periods, ends and withdrawals of prices (issue 21).
 * The price model ({@code versionsAt}, {@code inForce}, the history's) is written from the rule as
 * the README states it, not from the implementation; the first property's prices are its
 * open-ended case.
 * Each seed is one generated case; a failure names its seed, so it can be replayed.
 */
@QuarkusTest
class TimeModelPropertyTest {
    private static final String[] CURRENCIES = {"EUR", "USD"};
    private static final String[] NAMES = {"Ada", "Grace", "Alan"};
    private static final String[] TIERS = {"bronze", "silver", "gold"};
    private static final Instant SCHEDULED = Instant.parse("2999-01-01T00:00:00Z");

    /** What a price event sets for its start: a price or an end (no amount, no currency), open-ended or a period. */
    record State(Integer amount, String currency, Instant until, boolean ended) {
    }

    /** A committed price event in the model: what it sets for its start, or (state null) its withdrawal. */
    record Sent(long t, String sku, Instant at, State state, String eventId) {
    }

    /** A start's version as known at some t: its state, and the event (and its t) that last changed it. */
    record Version(State state, long t, String eventId) {
    }

    /** A committed customer event in the model: fields set (null value = clear), or deletion. */
    record Customer(long t, String id, Map<String, String> fields, boolean deleted, String eventId) {
    }

    /**
     * Five seeds (eight before issue 21): the prices' rule has four more of its own below, which
     * generate open-ended prices, corrections and bursts too, and ./mvnw verify keeps to its budget.
     */
    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 4, 5})
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

        List<Sent> prices = new ArrayList<>();
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
                    prices.add(new Sent(t, (String) e.get("sku"), Instant.parse((String) e.get("effectiveAt")),
                            new State((Integer) e.get("amount"), (String) e.get("currency"), null, false), (String) e.get("id")));
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
        prices.sort(java.util.Comparator.comparingLong(Sent::t));
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

    /**
     * Property of issue 21: for random sequences of prices, periods (overlapping, nested), ends (open
     * and for a period), corrections, events that change nothing, withdrawals (of prices, periods and
     * ends; sent again after) and withdrawals of nothing (a 422 recording nothing), over many
     * transactions for two SKUs, the answer at every t and at every boundary of valid time (each
     * start and end, and the millisecond before it) is the model's, 404s inside ends included; and
     * so are the listing at the last t and the histories.
     */
    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 4})
    void periodsEndsAndWithdrawalsMatchTheModel(long seed) {
        Random random = new Random(seed);
        String run = "v" + seed + "-" + UUID.randomUUID().toString().substring(0, 6);
        List<String> skus = List.of(run + "-a", run + "-b");
        // Few starts, so that versions are corrected, withdrawn and sent again; a period ends at a
        // later start or at the horizon after them all, so periods overlap and nest.
        TreeSet<Instant> starts = new TreeSet<>();
        while (starts.size() < 5) {
            starts.add(Instant.parse("2026-01-01T00:00:00Z").plusSeconds(86_400L * random.nextInt(40)));
        }
        Instant horizon = starts.last().plusSeconds(86_400L * 10);

        Map<String, Map<Instant, State>> now = new HashMap<>(); // what each SKU has, as the events are sent
        skus.forEach(sku -> now.put(sku, new HashMap<>()));
        List<Sent> sent = new ArrayList<>();
        for (int request = 0; request < 14; request++) {
            if (random.nextInt(8) == 0) {
                withdrawNothing(random, skus, starts, horizon, now);
            }
            int size = random.nextInt(4) == 0 ? 2 + random.nextInt(3) : 1;
            List<Map<String, Object>> events = new ArrayList<>();
            List<State> states = new ArrayList<>();
            for (int i = 0; i < size; i++) {
                String sku = skus.get(random.nextInt(skus.size()));
                Map<Instant, State> versions = now.get(sku);
                List<Instant> there = versions.keySet().stream().sorted().toList();
                int kind = random.nextInt(10);
                Instant at;
                State state;
                if (kind < 2 && !there.isEmpty()) {
                    at = there.get(random.nextInt(there.size()));
                    state = null;
                } else if (kind < 3 && !there.isEmpty()) {
                    at = there.get(random.nextInt(there.size()));
                    state = versions.get(at); // the same again: changes nothing
                } else {
                    at = List.copyOf(starts).get(random.nextInt(starts.size()));
                    List<Instant> untils = new ArrayList<>(starts.tailSet(at, false));
                    untils.add(horizon);
                    Instant until = random.nextBoolean() ? untils.get(random.nextInt(untils.size())) : null;
                    state = kind >= 3 && kind < 5
                            ? new State(null, null, until, true)
                            : new State(random.nextInt(5), CURRENCIES[random.nextInt(4) == 0 ? 1 : 0], until, false);
                }
                if (state == null) {
                    versions.remove(at);
                } else {
                    versions.put(at, state);
                }
                events.add(validEvent(sku, at, state));
                states.add(state);
            }
            JsonPath result = post(events.size() == 1 ? events.get(0) : events).statusCode(201).extract().jsonPath();
            for (int i = 0; i < events.size(); i++) {
                Map<String, Object> e = events.get(i);
                sent.add(new Sent(result.getLong("events[" + i + "].t"), (String) e.get("sku"),
                        Instant.parse((String) e.get("effectiveAt")), states.get(i), (String) e.get("id")));
            }
        }
        // By t; within a transaction, in the order sent (the sort is stable).
        sent.sort(java.util.Comparator.comparingLong(Sent::t));
        List<Long> points = sent.stream().map(Sent::t).distinct().toList();

        // Answers change only at starts and ends: each and the millisecond before it probe every stretch.
        List<Instant> probes = new ArrayList<>();
        for (Instant boundary : starts) {
            probes.add(boundary.minusMillis(1));
            probes.add(boundary);
        }
        probes.add(horizon.minusMillis(1));
        probes.add(horizon);
        // At each t the SKUs its events touched (every SKU at the last): the answers of a SKU no
        // event touched are those of its previous t, already compared.
        long last = points.get(points.size() - 1);
        for (long t : points) {
            for (String sku : skus) {
                boolean touched = sent.stream().anyMatch(e -> e.t() == t && e.sku().equals(sku));
                for (Instant v : touched || t == last ? probes : List.<Instant>of()) {
                    checkPrice(seed, sent, sku, t, v);
                }
            }
        }
        for (Instant v : probes) {
            checkListing(seed, sent, run, skus, last, v);
        }
        for (String sku : skus) {
            checkPriceHistory(seed, sent, sku);
        }
    }

    private static Map<String, Object> validEvent(String sku, Instant at, State state) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("id", UUID.randomUUID().toString());
        e.put("type", "price");
        e.put("sku", sku);
        e.put("effectiveAt", at.toString());
        if (state == null) {
            e.put("withdrawn", true);
            return e;
        }
        if (state.ended()) {
            e.put("ended", true);
        } else {
            e.put("amount", state.amount());
            e.put("currency", state.currency());
        }
        if (state.until() != null) {
            e.put("effectiveUntil", state.until().toString());
        }
        return e;
    }

    /**
     * A withdrawal of a start that has no version now (never sent, or withdrawn): a 422. That it
     * records nothing, the answers and histories compared afterwards say.
     */
    private static void withdrawNothing(Random random, List<String> skus, TreeSet<Instant> starts,
            Instant horizon, Map<String, Map<Instant, State>> now) {
        String sku = skus.get(random.nextInt(skus.size()));
        List<Instant> empty = new ArrayList<>(starts);
        empty.removeAll(now.get(sku).keySet());
        empty.add(horizon);
        Instant at = empty.get(random.nextInt(empty.size()));
        given().contentType(ContentType.JSON).body(validEvent(sku, at, null)).post("/events").then()
                .statusCode(422).contentType("application/problem+json").body("title", equalTo("Nothing to withdraw"));
    }

    /**
     * The model's versions of a SKU as known at t: per start, the latest event recorded, a withdrawal
     * removing it; the same state again leaves the version as it was (recorded by its event).
     */
    private static Map<Instant, Version> versionsAt(List<Sent> sent, String sku, long t) {
        Map<Instant, Version> versions = new HashMap<>();
        for (Sent e : sent) {
            if (!e.sku().equals(sku) || e.t() > t) {
                continue;
            }
            Version old = versions.get(e.at());
            if (e.state() == null) {
                versions.remove(e.at());
            } else if (old == null || !old.state().equals(e.state())) {
                versions.put(e.at(), new Version(e.state(), e.t(), e.eventId()));
            }
        }
        return versions;
    }

    /**
     * The rule: of the periods that cover v, the one that starts latest, whenever recorded; where no
     * period covers v, the open-ended version that starts latest at or before v; but an open end (a
     * delisting) that starts after the period ends the period there. Null: nothing.
     */
    private static Map.Entry<Instant, Version> inForce(Map<Instant, Version> versions, Instant v) {
        Map.Entry<Instant, Version> period = null;
        Map.Entry<Instant, Version> open = null;
        for (Map.Entry<Instant, Version> e : versions.entrySet()) {
            Instant at = e.getKey();
            Instant until = e.getValue().state().until();
            if (at.isAfter(v)) {
                continue;
            }
            if (until != null) {
                if (v.isBefore(until) && (period == null || at.isAfter(period.getKey()))) {
                    period = e;
                }
            } else if (open == null || at.isAfter(open.getKey())) {
                open = e;
            }
        }
        Instant end = lastOpenEndBefore(versions, v);
        if (period != null && end != null && end.isAfter(period.getKey())) {
            return open; // an open end since the period started cut it short; what started after the end holds
        }
        return period != null ? period : open;
    }

    /** The start of the last open end at or before v, or null. */
    private static Instant lastOpenEndBefore(Map<Instant, Version> versions, Instant v) {
        Instant last = null;
        for (Map.Entry<Instant, Version> e : versions.entrySet()) {
            if (!e.getKey().isAfter(v) && e.getValue().state().until() == null && e.getValue().state().ended()
                    && (last == null || e.getKey().isAfter(last))) {
                last = e.getKey();
            }
        }
        return last;
    }

    /** A SKU's events, one a line, for a failure's message (so that it can be replayed by hand). */
    private static String describe(List<Sent> sent, String sku) {
        StringBuilder lines = new StringBuilder();
        for (Sent e : sent) {
            if (e.sku().equals(sku)) {
                lines.append("  t=").append(e.t()).append(' ').append(e.at()).append(' ')
                        .append(e.state() == null ? "withdrawn" : e.state()).append(' ').append(e.eventId()).append('\n');
            }
        }
        return lines.toString();
    }

    private static void checkPrice(long seed, List<Sent> sent, String sku, long t, Instant v) {
        Map.Entry<Instant, Version> expected = inForce(versionsAt(sent, sku, t), v);
        Response response = given().get("/prices/{sku}?asOf={t}&validAt={v}", sku, t, v.toString());
        java.util.function.Supplier<String> where = () -> "seed " + seed + ": " + sku + " asOf " + t + " validAt " + v
                + ", the SKU's events:\n" + describe(sent, sku);
        if (expected == null) {
            assertThat(response.statusCode()).as(where).isEqualTo(404);
            assertThat(response.jsonPath().getString("title")).as(where).isEqualTo("Not found");
            return;
        }
        Version version = expected.getValue();
        State state = version.state();
        if (state.ended()) {
            String span = "from " + expected.getKey() + (state.until() == null ? "" : " until " + state.until());
            assertThat(response.statusCode()).as(where).isEqualTo(404);
            assertThat(response.contentType()).as(where).startsWith("application/problem+json");
            assertThat(response.jsonPath().getString("title")).as(where).isEqualTo("Price ended");
            assertThat(response.jsonPath().getString("detail")).as(where)
                    .contains("has no price " + span + " (ended by event " + version.eventId() + ", t=" + version.t() + ")");
            return;
        }
        assertThat(response.statusCode()).as(where).isEqualTo(200);
        JsonPath body = response.jsonPath();
        assertThat(body.getInt("amount")).as(where).isEqualTo(state.amount());
        assertThat(body.getString("currency")).as(where).isEqualTo(state.currency());
        assertThat(body.getString("effectiveAt")).as(where).isEqualTo(expected.getKey().toString());
        assertThat(body.getString("effectiveUntil")).as(where).isEqualTo(state.until() == null ? null : state.until().toString());
        assertThat(body.getLong("t")).as(() -> "t of " + where.get()).isEqualTo(version.t());
    }

    /** The listing at t and v: the SKUs with a price in force (not an end), in SKU order. */
    private static void checkListing(long seed, List<Sent> sent, String run, List<String> skus, long t, Instant v) {
        List<String> expected = new ArrayList<>();
        for (String sku : skus) {
            Map.Entry<Instant, Version> in = inForce(versionsAt(sent, sku, t), v);
            if (in != null && !in.getValue().state().ended()) {
                expected.add(sku + " " + in.getValue().state().amount() + " " + in.getKey());
            }
        }
        JsonPath page = given().get("/prices?prefix={p}&asOf={t}&validAt={v}", run + "-", t, v.toString()).then()
                .statusCode(200).extract().jsonPath();
        List<String> actual = new ArrayList<>();
        for (int i = 0; i < page.getList("items").size(); i++) {
            String item = "items[" + i + "].";
            actual.add(page.getString(item + "sku") + " " + page.getInt(item + "amount") + " " + page.getString(item + "effectiveAt"));
        }
        assertThat(actual).as("seed " + seed + ": listing asOf " + t + " validAt " + v).isEqualTo(expected);
    }

    /**
     * The model's history: per start, a change of state retracts the old and asserts the new; the same
     * state again adds nothing; a withdrawal is one item with the state withdrawn.
     */
    private static void checkPriceHistory(long seed, List<Sent> sent, String sku) {
        Map<Instant, State> current = new HashMap<>();
        List<String> expected = new ArrayList<>();
        for (Sent e : sent) {
            if (!e.sku().equals(sku)) {
                continue;
            }
            State old = current.get(e.at());
            if (e.state() == null) {
                expected.add(historyItem(e, "withdraw", old));
                current.remove(e.at());
                continue;
            }
            if (e.state().equals(old)) {
                continue;
            }
            if (old != null) {
                expected.add(historyItem(e, "retract", old));
            }
            expected.add(historyItem(e, "assert", e.state()));
            current.put(e.at(), e.state());
        }
        JsonPath history = given().get("/prices/{sku}/history?limit=1000", sku).then().statusCode(200).extract().jsonPath();
        List<String> actual = new ArrayList<>();
        for (int i = 0; i < history.getList("items").size(); i++) {
            String item = "items[" + i + "].";
            actual.add(history.getLong(item + "t") + " " + history.getString(item + "effectiveAt") + " "
                    + history.getString(item + "op") + " " + history.getString(item + "amount") + " "
                    + history.getString(item + "currency") + " " + history.getString(item + "effectiveUntil") + " "
                    + history.getString(item + "ended") + " " + history.getString(item + "eventId"));
        }
        assertThat(actual).as(() -> "seed " + seed + ": history of " + sku + ", its events:\n" + describe(sent, sku))
                .isEqualTo(expected);
    }

    private static String historyItem(Sent e, String op, State state) {
        return e.t() + " " + e.at() + " " + op + " " + state.amount() + " " + state.currency() + " " + state.until() + " "
                + (state.ended() ? "true" : null) + " " + e.eventId();
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
