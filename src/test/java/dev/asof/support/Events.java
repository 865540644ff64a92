package dev.asof.support;

import static io.restassured.RestAssured.given;

import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import org.awaitility.Awaitility;
import java.util.Map;
import java.util.UUID;

/** Builders for event bodies and the POST that sends them, shared by the specifications. */
public final class Events {
    private Events() {
    }

    /** A SKU no other test uses. */
    public static String sku(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    public static Map<String, Object> price(String sku, Object amount, String currency) {
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("id", UUID.randomUUID().toString());
        event.put("type", "price");
        event.put("sku", sku);
        event.put("amount", amount);
        event.put("currency", currency);
        return event;
    }

    /** A price for {@code [from, until)} only: a period. */
    public static Map<String, Object> period(String sku, Object amount, String from, String until) {
        return with(with(price(sku, amount, "EUR"), "effectiveAt", from), "effectiveUntil", until);
    }

    /** No price from {@code from} on (a delisting); with effectiveUntil, for a period. */
    public static Map<String, Object> end(String sku, String from) {
        return with(with(without(without(price(sku, 1, "EUR"), "amount"), "currency"), "effectiveAt", from), "ended", true);
    }

    /** Takes the version starting at exactly {@code at} out of valid time. */
    public static Map<String, Object> withdrawal(String sku, String at) {
        return with(with(without(without(price(sku, 1, "EUR"), "amount"), "currency"), "effectiveAt", at), "withdrawn",
                true);
    }

    public static Map<String, Object> customer(String customerId) {
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("id", UUID.randomUUID().toString());
        event.put("type", "customer");
        event.put("customerId", customerId);
        return event;
    }

    public static Map<String, Object> with(Map<String, Object> event, String field, Object value) {
        Map<String, Object> copy = new LinkedHashMap<>(event);
        copy.put(field, value);
        return copy;
    }

    public static Map<String, Object> without(Map<String, Object> event, String field) {
        Map<String, Object> copy = new LinkedHashMap<>(event);
        copy.remove(field);
        return copy;
    }

    public static ValidatableResponse post(Object body) {
        return given().contentType(ContentType.JSON).body(body).when().post("/events").then();
    }

    public static ValidatableResponse postRaw(String body) {
        return given().contentType(ContentType.JSON).body(body).when().post("/events").then();
    }

    public static ValidatableResponse postNdjson(String body) {
        return given().contentType("application/x-ndjson").body(body.getBytes(StandardCharsets.UTF_8)).when().post("/events").then();
    }

    /** The versions of a SKU's price as {@code /prices/{sku}/history} lists them; none while it has no price. */
    public static List<Map<String, Object>> priceHistory(String sku) {
        var answer = given().when().get("/prices/" + sku + "/history").then().extract();
        return answer.statusCode() == 200 ? answer.jsonPath().getList("items") : List.of();
    }

    /** Waits until the event is recorded (read from /changes, page by page); its t. */
    public static long awaitT(UUID id) {
        long[] t = {0};
        Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> {
            long after = 0;
            String cursor = null;
            while (true) {
                var page = (cursor == null ? given().queryParam("after", after) : given().queryParam("cursor", cursor))
                        .when().get("/changes?limit=1000").then().extract().jsonPath();
                List<Map<String, Object>> items = page.getList("items");
                if (items.isEmpty()) {
                    return false;
                }
                for (Map<String, Object> item : items) {
                    for (Object e : (List<?>) item.get("events")) {
                        if (id.toString().equals(((Map<?, ?>) e).get("id"))) {
                            t[0] = ((Number) item.get("t")).longValue();
                            return true;
                        }
                    }
                }
                after = page.getLong("next");
                cursor = page.getString("cursor");
            }
        });
        return t[0];
    }
}
