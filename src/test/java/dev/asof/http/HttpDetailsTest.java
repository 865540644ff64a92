package dev.asof.http;

import static dev.asof.support.Events.price;
import static dev.asof.support.Events.sku;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The HTTP contract at its edges: every error is problem+json, every success keeps its media type. */
@QuarkusTest
class HttpDetailsTest {
    private static final int MIB = 1024 * 1024;

    @TestHTTPResource("/events")
    URL events;

    @Test
    void bodyBeyondTheHttpLimitIsA413Problem() throws Exception {
        byte[] body = new byte[18 * MIB];
        java.util.Arrays.fill(body, (byte) '\n');
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(events.toURI())
                .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/x-ndjson")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(413);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/problem+json"));
        assertThat(response.body()).contains("\"status\":413");
    }

    @Test
    void chunkedBodyWithinTheLimitIsReadWhole() throws Exception {
        String sku = "chunked-" + System.nanoTime();
        StringBuilder ndjson = new StringBuilder();
        for (int i = 0; i < 300; i++) {
            ndjson.append("{\"type\":\"price\",\"sku\":\"").append(sku).append('-').append(i)
                    .append("\",\"amount\":").append(i).append(",\"currency\":\"EUR\"}\n");
        }
        byte[] bytes = ndjson.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(events.toURI())
                .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/x-ndjson")
                .POST(HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofInputStream(
                        () -> new java.io.ByteArrayInputStream(bytes)))).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
        given().get("/prices/{sku}", sku + "-299").then().statusCode(200);
    }

    @Test
    void methodNotAllowedNamesTheAllowedMethods() {
        given().delete("/events").then().statusCode(405).contentType("application/problem+json")
                .header("Allow", containsString("POST"));
        given().contentType("application/json").body("{}").put("/prices/X").then().statusCode(405)
                .contentType("application/problem+json").header("Allow", containsString("GET"));
        // The explorer's page and its assets are static: read, never written.
        given().contentType("application/json").body("{}").post("/").then().statusCode(405)
                .contentType("application/problem+json").header("Allow", "GET, HEAD");
        given().delete("/explorer/app.js").then().statusCode(405).header("Allow", "GET, HEAD");
        given().get("/").then().statusCode(200).contentType(containsString("text/html"));
        given().get("/explorer/nothing-here.js").then().statusCode(404).contentType("application/problem+json");
    }

    @Test
    void successKeepsItsMediaTypeWhateverAcceptLists() {
        String sku = sku("accept");
        given().accept("application/problem+json").contentType("application/json").body(price(sku, 1, "EUR"))
                .post("/events").then().statusCode(201).contentType("application/json");
        given().accept("application/problem+json").get("/prices/{sku}", sku).then().statusCode(200)
                .contentType("application/json");
        given().accept("application/problem+json, application/json").get("/changes?after=0&limit=1").then()
                .statusCode(200).contentType("application/json");
        given().accept("application/problem+json").get("/prices/{sku}", "none-" + sku).then().statusCode(404)
                .contentType("application/problem+json");
    }

    @Test
    void aMalformedPercentEscapeIsA400ProblemNamingIt() throws IOException {
        String sku = sku("escape");
        long t = given().contentType("application/json").body(price(sku, 1, "EUR")).post("/events").then()
                .statusCode(201).extract().jsonPath().getLong("t");
        // "%" not followed by two hexadecimal digits (RFC 3986 §2.1), in a parameter and in the path.
        assertProblem(raw("/prices/" + sku + "?asOf=%zz"), "asOf", "'%zz'", "two hexadecimal digits");
        assertProblem(raw("/prices/" + sku + "/history?from=2026-01-01&to=%2"), "to", "'%2'", "two hexadecimal digits");
        assertProblem(raw("/prices/%zz"), "path", "'%zz'", "two hexadecimal digits");
        assertProblem(raw("/changes?after=%"), "after", "'%'", "two hexadecimal digits");
        // Well-formed escapes of octets that are not UTF-8 (here a character cut short): not decoded to U+FFFD.
        assertProblem(raw("/prices/" + sku + "?validAt=%E0%A4"), "validAt", "'%E0%A4'", "UTF-8");
        assertProblem(raw("/prices/" + sku + "%E0%A4"), "path", "'%E0%A4'", "UTF-8");
        assertProblem(raw("/customers/c%C3?asOf=1"), "path", "'%C3'", "UTF-8");
        // The same rule wherever the request goes: the explorer's files and Quarkus's own endpoints too.
        assertProblem(raw("/?sku=%zz"), "sku", "'%zz'", "two hexadecimal digits");
        assertProblem(raw("/q/health?x=%E0"), "x", "'%E0'", "UTF-8");
        // Escapes that are well-formed UTF-8 still read as the characters they name.
        StringBuilder escapedT = new StringBuilder();
        for (char digit : Long.toString(t).toCharArray()) {
            escapedT.append("%3").append(digit);
        }
        Raw escaped = raw("/prices/" + sku.replace("-", "%2D") + "?asOf=" + escapedT);
        assertThat(escaped.status()).as(escaped.body()).isEqualTo(200);
        assertThat(escaped.body()).contains("\"sku\":\"" + sku + "\"", "\"t\":" + t);
        assertThat(raw("/prices/%C3%A9t%C3%A9").body()).contains("No price for SKU été");
    }

    @Test
    void malformedJsonIsDescribedWithoutJacksonsInternals() {
        String[] bodies = {
            "{\"type\":\"price\"", // ends inside an object: Jackson names its "start marker" with a source excerpt
            "{\"type\":\"price\",\"sku\":\"S\",\"amount\":NaN,\"currency\":\"EUR\"}", // a feature to enable
            "{\"amount\":+1}",
            "{\"a\":1 /* a comment */}",
            "{\"type\":\"price\",\"type\":\"price\"}",
            "{\"type\":\"price\"} {}", // Jackson names the Java type it bound to and the feature that refuses this
            "[".repeat(40) + "]".repeat(40), // read constraints: Jackson names the getter that sets them
            "{\"amount\":" + "1".repeat(70) + "}",
        };
        for (String body : bodies) {
            io.restassured.response.Response answer = given().contentType("application/json").body(body).post("/events");
            assertThat(answer.statusCode()).as(body).isEqualTo(400);
            assertThat(answer.contentType()).as(body).startsWith(Problem.MEDIA_TYPE);
            assertThat(answer.jsonPath().getString("detail")).as(body).contains("not valid JSON")
                    .doesNotContain("Source", "REDACTED", "`", "Feature", "StreamRead", "com.fasterxml");
        }
        given().contentType("application/x-ndjson").body("{\"type\":\"price\"\n".getBytes(StandardCharsets.UTF_8))
                .post("/events").then()
                .statusCode(400).body("errors[0].message", containsString("line 1"))
                .body("errors[0].message", not(containsString("Source")))
                .body("errors[0].message", not(containsString("`")));
    }

    /** An answer as it came off the wire. */
    private record Raw(int status, String head, String body) {
    }

    private static void assertProblem(Raw answer, String names, String shows, String why) {
        assertThat(answer.status()).as(answer.head()).isEqualTo(400);
        assertThat(answer.head().toLowerCase()).contains("content-type: application/problem+json");
        assertThat(answer.body()).contains("\"status\":400", names, shows, why);
    }

    /** GET {@code target} exactly as written: HTTP clients refuse to send a malformed escape. */
    private Raw raw(String target) throws IOException {
        try (Socket socket = new Socket(events.getHost(), events.getPort())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET " + target + " HTTP/1.1\r\nHost: " + events.getHost() + ":" + events.getPort()
                    + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            String answer = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            int end = answer.indexOf("\r\n\r\n");
            String head = end < 0 ? answer : answer.substring(0, end);
            return new Raw(Integer.parseInt(head.split(" ")[1]), head, end < 0 ? "" : answer.substring(end + 4));
        }
    }
}
