package dev.asof;

import static dev.asof.support.Events.post;
import static dev.asof.support.Events.price;
import static dev.asof.support.Events.sku;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.asof.http.Problem;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Thousands of generated malformed and hostile bodies and query strings (seeded, so a failure can
 * be replayed): never a 5xx, never a stack trace, every refusal a problem in asof's words (none of
 * the JSON parser's), and afterwards the service is healthy and what it had acknowledged is unchanged.
 */
@QuarkusTest
class HostileInputFuzzTest {
    private static final long SEED = 20261125L;
    private static final int CASES = 3000;
    private static final String[] VALID = {
        "{\"type\":\"price\",\"sku\":\"F-1\",\"amount\":12.50,\"currency\":\"EUR\",\"effectiveAt\":\"2026-06-01T00:00:00Z\"}",
        "[{\"type\":\"price\",\"sku\":\"F-2\",\"amount\":1,\"currency\":\"USD\"},{\"type\":\"customer\",\"customerId\":\"f\",\"name\":\"F\"}]",
        "{\"type\":\"customer\",\"customerId\":\"c-9\",\"email\":\"a@b.co\",\"tier\":\"gold\",\"country\":\"DE\",\"city\":null}",
    };
    private static final String[] HOSTILE_VALUES = {
        "1e400", "-1e400", "1e-400", "NaN", "Infinity", "-0", "99999999999999999999999999999999999999999999999999",
        "\"\\u0000\"", "\"\\ud800\"", "\"" + "x".repeat(5000) + "\"", "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
        "{\"a\":{\"b\":{\"c\":{\"d\":{\"e\":{\"f\":{\"g\":{\"h\":{\"i\":{\"j\":{\"k\":{\"l\":{\"m\":{\"n\":{\"o\":{\"p\":{\"q\":1}}}}}}}}}}}}}}}}}",
        "true", "null", "{}", "[]", "\"2026-13-45T99:99:99Z\"", "\"'; DROP TABLE asof_journal; --\"",
    };
    private static final String[] PATHS = {
        "/prices/%s", "/prices", "/prices/%s/history", "/customers/%s", "/customers/%s/history", "/tx/%s", "/changes",
    };
    private static final String[] PARAMS = {"asOf", "validAt", "from", "to", "order", "limit", "cursor", "after"};
    private static final Pattern PARSER_INTERNALS = Pattern.compile(
            "`|Source:|REDACTED|Feature|StreamRead|com\\.fasterxml|java\\.|reference chain");

    @Test
    void hostileInputNeverBreaksTheService() {
        String known = sku("fuzz-known");
        long t = post(price(known, 42, "EUR")).statusCode(201).extract().jsonPath().getLong("t");
        String before = given().get("/prices/{sku}?asOf={t}", known, t).asString();

        Random random = new Random(SEED);
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < CASES; i++) {
            Response response = random.nextInt(3) == 0 ? hostileQuery(random) : hostileBody(random);
            String body = response.asString();
            // 414: a request line over quarkus.http.limits.max-initial-line-length, refused by Netty before any of asof runs.
            boolean refused = response.statusCode() >= 400 && response.statusCode() != 414;
            if (response.statusCode() >= 500 || body.contains("Exception") || body.contains("\tat ")
                    || body.contains("at dev.asof")
                    // A refusal is a problem, in asof's words: not the parser's source excerpts, settings or types.
                    || refused && !String.valueOf(response.contentType()).startsWith(Problem.MEDIA_TYPE)
                    || refused && PARSER_INTERNALS.matcher(body).find()) {
                failures.add("case " + i + " (seed " + SEED + "): " + response.statusCode() + " " + abbreviate(body));
            }
        }
        assertThat(failures).isEmpty();

        given().get("/q/health/ready").then().statusCode(200);
        assertThat(given().get("/prices/{sku}?asOf={t}", known, t).asString()).isEqualTo(before);
    }

    private static Response hostileBody(Random random) {
        byte[] body = mutate(random, VALID[random.nextInt(VALID.length)]);
        String type = switch (random.nextInt(8)) {
            case 0 -> "application/x-ndjson";
            case 1 -> "text/plain";
            case 2 -> "application/json; charset=latin1";
            case 3 -> "application/xml";
            default -> "application/json";
        };
        return given().contentType(type).body(body).post("/events");
    }

    private static byte[] mutate(Random random, String valid) {
        String text = valid;
        switch (random.nextInt(7)) {
            case 0 -> text = text.substring(0, random.nextInt(text.length())); // truncated
            case 1 -> { // a value replaced by something hostile
                int colon = text.indexOf(':', random.nextInt(text.length() - 1));
                if (colon > 0) {
                    int end = text.indexOf(',', colon);
                    end = end < 0 ? text.indexOf('}', colon) : end;
                    if (end > colon) {
                        text = text.substring(0, colon + 1) + HOSTILE_VALUES[random.nextInt(HOSTILE_VALUES.length)]
                                + text.substring(end);
                    }
                }
            }
            case 2 -> text = text.replace("\"sku\"", "\"sku\":\"A\",\"sku\""); // duplicate key
            case 3 -> text = "[".repeat(random.nextInt(5000)) + text; // deep nesting
            case 4 -> { // invalid UTF-8
                byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
                bytes[random.nextInt(bytes.length)] = (byte) (0x80 + random.nextInt(0x40));
                return bytes;
            }
            case 5 -> { // random bytes flipped
                byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
                for (int k = 0; k < 1 + random.nextInt(4); k++) {
                    bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
                }
                return bytes;
            }
            default -> text = text.replace("F-", "F\u0007-"); // a raw control character
        }
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static Response hostileQuery(Random random) {
        String path = String.format(PATHS[random.nextInt(PATHS.length)], encode(junk(random)));
        Map<String, String> params = new LinkedHashMap<>();
        for (int k = 0; k < 1 + random.nextInt(3); k++) {
            params.put(PARAMS[random.nextInt(PARAMS.length)], junk(random));
        }
        StringBuilder query = new StringBuilder();
        params.forEach((name, value) -> query.append(query.length() == 0 ? "?" : "&").append(name).append('=')
                .append(encode(value)));
        return given().urlEncodingEnabled(false).get(path + query);
    }

    private static String junk(Random random) {
        return switch (random.nextInt(10)) {
            case 0 -> Long.toString(random.nextLong());
            case 1 -> "-1";
            case 2 -> "99999999999999999999999";
            case 3 -> "2026-02-30T25:61:00Z";
            case 4 -> "\u0000\u0001";
            case 5 -> "../../etc/passwd";
            case 6 -> "%%%";
            case 7 -> "x".repeat(random.nextInt(3000));
            case 8 -> "2026-06-01T00:00:00+99:00";
            default -> new String(new char[] {(char) random.nextInt(0xD800), (char) random.nextInt(0xFFFF)});
        };
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private static String abbreviate(String body) {
        return body.length() > 300 ? body.substring(0, 300) + "…" : body;
    }
}
