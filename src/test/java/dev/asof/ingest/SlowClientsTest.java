package dev.asof.ingest;

import static dev.asof.support.Events.post;
import static dev.asof.support.Events.price;
import static dev.asof.support.Events.sku;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Slow or stuck clients cannot hold the transact worker: it never waits on a connection. Clients
 * that never read their answers, and clients stuck half-way through their body, do not delay
 * anyone else's commit.
 */
@QuarkusTest
class SlowClientsTest {

    @TestHTTPResource("/")
    URL root;

    @Test
    void stuckClientsDoNotDelayOthers() throws Exception {
        List<Socket> stuck = new ArrayList<>();
        try {
            for (int i = 0; i < 20; i++) {
                // A whole request whose answer is never read.
                String body = "{\"type\":\"price\",\"sku\":\"" + sku("slow") + "\",\"amount\":1,\"currency\":\"EUR\"}";
                stuck.add(send(request(body.length()) + body));
                // Half a body, and then nothing.
                stuck.add(send(request(1000) + body));
            }
            long started = System.nanoTime();
            for (int i = 0; i < 20; i++) {
                post(price(sku("prompt"), i, "EUR")).statusCode(201);
            }
            long millis = (System.nanoTime() - started) / 1_000_000;
            assertThat(millis).as("20 commits while 40 clients are stuck").isLessThan(5_000);
        } finally {
            for (Socket socket : stuck) {
                socket.close();
            }
        }
    }

    private String request(int contentLength) {
        return "POST /events HTTP/1.1\r\nHost: " + root.getHost() + ":" + root.getPort()
                + "\r\nContent-Type: application/json\r\nContent-Length: " + contentLength + "\r\n\r\n";
    }

    private Socket send(String raw) throws Exception {
        Socket socket = new Socket(root.getHost(), root.getPort());
        socket.setReceiveBufferSize(1024);
        OutputStream out = socket.getOutputStream();
        out.write(raw.getBytes(StandardCharsets.UTF_8));
        out.flush();
        return socket;
    }
}
