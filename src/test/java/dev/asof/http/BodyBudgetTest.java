package dev.asof.http;

import static dev.asof.support.Events.price;
import static dev.asof.support.Events.sku;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.asof.support.OwnDatabase;
import dev.asof.support.RawHttp;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * Request bodies count against one byte budget before they are read, and a body must arrive within
 * a deadline: clients that announce large bodies and stall hold at most three quarters of the
 * budget, for at most the deadline, while small writes go on in the rest; further bodies are refused
 * at once (429) instead of being buffered; reads go on; and the budget is whole again afterwards,
 * however requests end. (A 4 MiB budget, a 64 KiB JSON limit and a 5 s deadline here, so that the
 * specification is cheap; the packaged service's defaults are in BodyBudgetIT.)
 */
@QuarkusTest
@TestProfile(BodyBudgetTest.Tight.class)
class BodyBudgetTest {
    private static final String TOKEN = "budget-token";
    private static final int MIB = 1024 * 1024;
    private static final int BUDGET = 4 * MIB;

    public static class Tight extends OwnDatabase {
        public Tight() {
            super("asof-body-budget", "asof.write-tokens", TOKEN, "quarkus.http.limits.max-body-size", "1M",
                    "asof.limits.body-bytes-in-flight", Integer.toString(BUDGET), "asof.limits.body-read-timeout", "5s",
                    "asof.limits.json-bytes", "65536");
        }
    }

    @TestHTTPResource("/")
    URL root;

    @Test
    void stalledBodiesHoldAtMostTheBudgetForAtMostTheDeadline() throws Exception {
        List<Socket> stalled = new ArrayList<>();
        try {
            // Without a valid token nothing is reserved: the 401 comes before the body is read.
            for (int i = 0; i < 4; i++) {
                try (Socket anonymous = stall(MIB, false)) {
                    assertThat(statusLine(anonymous, Duration.ofSeconds(10))).contains(" 401 ");
                }
            }
            assertThat(inFlight()).isZero();

            // Bodies larger than the JSON limit (64 KiB here), announced or of unannounced length (any
            // transfer coding: each of those reserves the largest body taken, 1 MiB here), hold at most
            // three quarters of the budget.
            stalled.add(stall(MIB, true));
            stalled.add(stall(MIB, true));
            stalled.add(stallChunked("chunked"));
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> inFlight() == BUDGET * 3 / 4);

            // Their share is full: another large body is refused at once, unread, and says when to come back.
            try (Socket refused = stallChunked("gzip, chunked")) {
                String answer = answer(refused, Duration.ofSeconds(5));
                assertThat(answer).startsWith("HTTP/1.1 429 ").containsIgnoringCase("Retry-After: 1")
                        .containsIgnoringCase("application/problem+json").contains("asof.limits.body-bytes-in-flight");
            }
            // Small writes go on, in the quarter kept for them.
            given().header("Authorization", "Bearer " + TOKEN).contentType("application/json")
                    .body(price(sku("beside-stalls"), 1, "EUR")).post("/events").then().statusCode(201);
            // Until that quarter is full too: small bodies that stall fill it, and then even a small one is refused.
            for (int i = 0; i < 16; i++) {
                stalled.add(stall(BUDGET / 4 / 16, true));
            }
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> inFlight() == BUDGET);
            try (Socket refused = stall(1000, true)) {
                assertThat(answer(refused, Duration.ofSeconds(5))).startsWith("HTTP/1.1 429 ");
            }
            // Reads go on.
            given().get("/prices/{sku}", "none-" + System.nanoTime()).then().statusCode(404);

            // At the deadline the stalled bodies are cut off, and the budget is whole again.
            for (Socket socket : stalled) {
                String answer = answer(socket, Duration.ofSeconds(20));
                assertThat(answer).startsWith("HTTP/1.1 408 ").contains("asof.limits.body-read-timeout");
            }
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> inFlight() == 0);
            String sku = sku("after-stall");
            given().header("Authorization", "Bearer " + TOKEN).contentType("application/json")
                    .body(price(sku, 1, "EUR")).post("/events").then().statusCode(201);
        } finally {
            for (Socket socket : stalled) {
                socket.close();
            }
        }
    }

    /**
     * However a request ends (committed, invalid, too large for its format, refused for want of
     * budget, its client gone mid-body, or never authorized), its bytes are given back exactly once:
     * after a random mix of them sent at once, nothing is held.
     */
    @Test
    void everyWayARequestEndsGivesItsBytesBackOnce() throws Exception {
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> inFlight() == 0);
        long seed = System.nanoTime();
        Random random = new Random(seed);
        ExecutorService clients = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> sent = new ArrayList<>();
            for (int i = 0; i < 60; i++) {
                int kind = random.nextInt(5);
                int length = 200 + random.nextInt(MIB - 200);
                sent.add(clients.submit(() -> {
                    send(kind, length);
                    return null;
                }));
            }
            for (Future<?> one : sent) {
                one.get();
            }
        } finally {
            clients.shutdownNow();
        }
        Awaitility.await("seed " + seed).atMost(Duration.ofSeconds(15)).until(() -> inFlight() == 0);
    }

    private void send(int kind, int length) throws IOException {
        switch (kind) {
            case 0 -> given().header("Authorization", "Bearer " + TOKEN).contentType("application/json")
                    .body(price(sku("mix"), 1, "EUR")).post("/events").then().statusCode(201);
            case 1 -> given().header("Authorization", "Bearer " + TOKEN).contentType("application/json")
                    .body("{\"type\":\"price\"}").post("/events").then().statusCode(400);
            case 2 -> {
                // A whole body of blank lines: read, parsed, refused; or refused unread for want of budget.
                byte[] blank = new byte[length];
                java.util.Arrays.fill(blank, (byte) ' ');
                int status = given().header("Authorization", "Bearer " + TOKEN).contentType("application/x-ndjson")
                        .body(blank).post("/events").statusCode();
                assertThat(status).isIn(400, 429);
            }
            case 3 -> {
                // Gone mid-body.
                Socket socket = stall(length, true);
                socket.close();
            }
            default -> {
                try (Socket anonymous = stall(length, false)) {
                    assertThat(statusLine(anonymous, Duration.ofSeconds(10))).contains(" 401 ");
                }
            }
        }
    }

    /** A POST /events that announces {@code contentLength} bytes of NDJSON and sends 100 of them. */
    private Socket stall(int contentLength, boolean authorized) throws IOException {
        return RawHttp.stall(root, authorized ? TOKEN : null, contentLength, 100);
    }

    /** A POST /events whose body has no announced length ({@code Transfer-Encoding}): one chunk of 100 bytes, then nothing. */
    private Socket stallChunked(String transferEncoding) throws IOException {
        Socket socket = new Socket(root.getHost(), root.getPort());
        // One write: a request refused at once has its connection closed, and a second write could meet the close.
        java.io.ByteArrayOutputStream request = new java.io.ByteArrayOutputStream();
        request.write(("POST /events HTTP/1.1\r\nHost: " + root.getHost() + ":" + root.getPort()
                + "\r\nContent-Type: application/x-ndjson\r\nAuthorization: Bearer " + TOKEN + "\r\n"
                + "Transfer-Encoding: " + transferEncoding + "\r\n\r\n64\r\n").getBytes(StandardCharsets.US_ASCII));
        request.write(new byte[100]);
        request.write("\r\n".getBytes(StandardCharsets.US_ASCII));
        OutputStream out = socket.getOutputStream();
        out.write(request.toByteArray());
        out.flush();
        return socket;
    }

    private static String statusLine(Socket socket, Duration within) throws IOException {
        return RawHttp.statusLine(socket, within);
    }

    private static String answer(Socket socket, Duration within) throws IOException {
        return RawHttp.answer(socket, within);
    }

    private static long inFlight() {
        return (long) RawHttp.metric("asof_http_body_bytes_in_flight");
    }
}
