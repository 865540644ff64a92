package dev.asof.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asof.support.PackagedService;
import dev.asof.support.Postgres;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The packaged service, as production runs it: no write token means no writes, and no credential is ever shown. */
class ProductionDefaultsIT {
    private static final String EVENT = "{\"type\":\"price\",\"sku\":\"P-1\",\"amount\":1,\"currency\":\"EUR\"}";
    private final HttpClient client = HttpClient.newHttpClient();

    @Test
    void withoutWriteTokensWritesAreRefusedAndTheLogSaysWhy() throws Exception {
        int port = PackagedService.freePort();
        try (PackagedService service = PackagedService.start(port, "prod-no-tokens", Map.of("ASOF_WRITE_TOKENS", ""),
                List.of("-Xmx512m"))) {
            service.awaitReady(Duration.ofSeconds(60));
            HttpResponse<String> refused = post(service.base(), null);
            assertThat(refused.statusCode()).isEqualTo(401);
            assertThat(refused.body()).contains("ASOF_WRITE_TOKENS");
            assertThat(refused.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
        }
        assertThat(Files.readString(Path.of("target", "prod-no-tokens.log"))).contains("ASOF_WRITE_TOKENS");
    }

    @Test
    void databasePasswordAndTokensNeverAppearInLogsOrHealth() throws Exception {
        String password = "s3cret-" + System.nanoTime();
        Postgres.Server server = Postgres.server();
        String database = Postgres.freshDatabase();
        // The test server trusts local connections, so any password is accepted, and it must not leak.
        String url = "postgresql://" + server.user() + ":" + password + "@" + server.host() + ":" + server.port() + "/" + database;
        int port = PackagedService.freePort();
        String health;
        try (PackagedService service = PackagedService.start(port, "prod-secrets", Map.of("DATABASE_URL", url),
                List.of("-Xmx512m"))) {
            service.awaitReady(Duration.ofSeconds(60));
            assertThat(post(service.base(), PackagedService.AUTHORIZATION).statusCode()).isEqualTo(201);
            assertThat(post(service.base(), "Bearer wrong-" + PackagedService.TOKEN).statusCode()).isEqualTo(401);
            health = get(service.base() + "/q/health") + get(service.base() + "/q/metrics");
        }
        String log = Files.readString(Path.of("target", "prod-secrets.log"));
        assertThat(log).contains("Journal on PostgreSQL");
        for (String secret : List.of(password, PackagedService.TOKEN)) {
            assertThat(log).doesNotContain(secret);
            assertThat(health).doesNotContain(secret);
        }
    }

    private HttpResponse<String> post(String base, String authorization) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + "/events"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(EVENT));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private String get(String url) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }
}
