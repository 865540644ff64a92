package dev.asof.http;

import static dev.asof.support.Events.price;
import static dev.asof.support.Events.sku;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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
}
