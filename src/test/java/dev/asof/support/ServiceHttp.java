package dev.asof.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.UUID;

/** Plain HTTP to a {@link PackagedService}: POST events with its write token, GET anything. */
public final class ServiceHttp {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final String base;

    public ServiceHttp(String base) {
        this.base = base;
    }

    /** A price event for {@code sku}, in force from {@code effectiveAt}, as JSON. */
    public static String price(UUID id, String sku, String amount, String effectiveAt) {
        return "{\"id\":\"" + id + "\",\"type\":\"price\",\"sku\":\"" + sku + "\",\"amount\":" + amount
                + ",\"currency\":\"EUR\",\"effectiveAt\":\"" + effectiveAt + "\"}";
    }

    public HttpResponse<String> post(String body) throws IOException, InterruptedException {
        return client.send(HttpRequest.newBuilder(URI.create(base + "/events")).timeout(Duration.ofSeconds(30))
                .header("Authorization", PackagedService.AUTHORIZATION).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** POST {@code customerPath}/erasure ({@code /customers/{id}}) with an erase token and a reason; an erasure may take a while. */
    public HttpResponse<String> erase(String customerPath, String eraseToken, String reason)
            throws IOException, InterruptedException {
        return client.send(HttpRequest.newBuilder(URI.create(base + customerPath + "/erasure"))
                .timeout(Duration.ofSeconds(120)).header("Authorization", "Bearer " + eraseToken)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.createObjectNode().put("reason", reason).toString()))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    public HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return client.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    public static JsonNode json(HttpResponse<String> response) {
        try {
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Status, ETag, Cache-Control and body: an answer as a client sees it, for byte-for-byte comparison. */
    public static String whole(HttpResponse<String> response) {
        return response.statusCode() + " " + response.headers().firstValue("ETag").orElse("-") + " "
                + response.headers().firstValue("Cache-Control").orElse("-") + " " + response.body();
    }
}
