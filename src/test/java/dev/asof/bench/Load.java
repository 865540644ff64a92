package dev.asof.bench;

import dev.asof.support.PackagedService;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Loading data into the packaged service before a benchmark measures it (not measured itself). */
final class Load {
    private Load() {
    }

    /** Records an NDJSON body of events in the packaged service, which must answer 201 (all created). */
    static void postNdjson(HttpClient client, String base, String ndjson) throws Exception {
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create(base + "/events"))
                .header("Authorization", PackagedService.AUTHORIZATION).header("Content-Type", "application/x-ndjson")
                .timeout(Duration.ofMinutes(5)).POST(HttpRequest.BodyPublishers.ofString(ndjson)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 201) {
            throw new IllegalStateException(response.statusCode() + " " + response.body());
        }
    }
}
