package dev.asof.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asof.support.PackagedService;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/**
 * The reproduction against the packaged service at its defaults: fifty clients with a valid
 * token each send all but the last byte of a 16 MiB NDJSON body and hold the connection. Before, every
 * body was buffered first and a 256 MB heap died or hung; now they count against the body budget (an
 * eighth of the heap; bulk bodies three quarters of it) before they are read, the rest are refused
 * unread, and the process stays live and ready and takes a normal write at once. (The bytes are
 * generated on the fly, never held by the test.)
 */
class BodyBudgetIT {
    private static final int BODY = 16 * 1024 * 1024;
    private static final int CLIENTS = 50;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void fiftyStalledSixteenMebibyteBodiesLeaveTheProcessLiveAndTakingWrites() throws Exception {
        int port = PackagedService.freePort();
        ExecutorService senders = Executors.newFixedThreadPool(CLIENTS);
        List<Socket> sockets = java.util.Collections.synchronizedList(new ArrayList<>());
        try (PackagedService service = PackagedService.start(port, "body-budget",
                Map.of("ASOF_LIMITS_BODY_READ_TIMEOUT", "5s"), List.of("-Xmx256m"))
                .awaitReady(Duration.ofSeconds(120))) {
            List<Future<Boolean>> sent = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) {
                sent.add(senders.submit(() -> sendAllButTheLastByte(port, sockets)));
            }
            int whole = 0;
            int cut = 0;
            for (Future<Boolean> one : sent) {
                try {
                    if (one.get(90, TimeUnit.SECONDS)) {
                        whole++;
                    } else {
                        cut++;
                    }
                } catch (TimeoutException stuck) {
                    // a sender the server stopped reading from without answering
                }
            }
            assertThat(cut).as("bodies refused or cut off, not read (%d sent whole)", whole).isGreaterThanOrEqualTo(CLIENTS - 2);

            HttpResponse<String> live = get(service.base() + "/q/health/live");
            assertThat(live.statusCode()).isEqualTo(200);
            assertThat(get(service.base() + "/q/health/ready").statusCode()).isEqualTo(200);
            HttpResponse<String> write = client.send(HttpRequest.newBuilder(URI.create(service.base() + "/events"))
                    .timeout(Duration.ofSeconds(30)).header("Authorization", PackagedService.AUTHORIZATION)
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
                            "{\"type\":\"price\",\"sku\":\"BUDGET-IT\",\"amount\":1,\"currency\":\"EUR\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            // At once, while the stalled bodies still hold their share: the rest of the budget is for small bodies.
            assertThat(write.statusCode()).as(write.body()).isEqualTo(201);
            assertThat(service.awaitExit(Duration.ZERO)).as("still running").isEqualTo(-1);
            assertThat(java.nio.file.Files.readString(java.nio.file.Path.of("target", "body-budget.log")))
                    .as("a slow client cut off is not an error of the service").doesNotContain("QuarkusErrorHandler");
        } finally {
            senders.shutdownNow();
            for (Socket socket : sockets) {
                socket.close();
            }
        }
    }

    /** True when the server read every byte sent; false when it answered or closed first. */
    private static boolean sendAllButTheLastByte(int port, List<Socket> sockets) throws IOException {
        Socket socket = new Socket("127.0.0.1", port);
        sockets.add(socket);
        OutputStream out = socket.getOutputStream();
        byte[] line = "{\"type\":\"price\",\"sku\":\"STALL\",\"amount\":1,\"currency\":\"EUR\"}\n".getBytes(StandardCharsets.US_ASCII);
        byte[] chunk = new byte[64 * 1024];
        for (int i = 0; i < chunk.length; i++) {
            chunk[i] = line[i % line.length];
        }
        try {
            out.write(("POST /events HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nContent-Type: application/x-ndjson\r\n"
                    + "Authorization: " + PackagedService.AUTHORIZATION + "\r\nContent-Length: " + BODY + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            int left = BODY - 1;
            while (left > 0) {
                int n = Math.min(left, chunk.length);
                out.write(chunk, 0, n);
                left -= n;
                if (socket.getInputStream().available() > 0) {
                    return false; // answered (429) before the body was read
                }
            }
            out.flush();
            return true;
        } catch (IOException closed) {
            return false;
        }
    }

    private HttpResponse<String> get(String url) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
