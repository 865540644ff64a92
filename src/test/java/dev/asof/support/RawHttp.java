package dev.asof.support;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * HTTP/1.1 over a plain socket, for what a client library will not do: announce a body and send
 * only part of it (a slow client), and read exactly what the server answers and whether it closes.
 */
public final class RawHttp {
    private RawHttp() {
    }

    /**
     * A {@code POST /events} announcing {@code contentLength} bytes of NDJSON, of which only the first
     * {@code sent} (zeros) are sent; {@code token} null for none. The socket stays open.
     */
    public static Socket stall(URL root, String token, int contentLength, int sent) throws IOException {
        Socket socket = new Socket(root.getHost(), root.getPort());
        // One write: a request refused at once may have its connection closed, and a second write could meet the close.
        ByteArrayOutputStream request = new ByteArrayOutputStream();
        request.write(("POST /events HTTP/1.1\r\nHost: " + root.getHost() + ":" + root.getPort()
                + "\r\nContent-Type: application/x-ndjson\r\n" + (token != null ? "Authorization: Bearer " + token + "\r\n" : "")
                + "Content-Length: " + contentLength + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        request.write(new byte[Math.min(sent, contentLength)]);
        OutputStream out = socket.getOutputStream();
        out.write(request.toByteArray());
        out.flush();
        return socket;
    }

    /** The first line of what the server answers, or "(closed)" when it answered nothing. */
    public static String statusLine(Socket socket, Duration within) throws IOException {
        String answer = answer(socket, within);
        return answer.isEmpty() ? "(closed)" : answer.lines().findFirst().orElse("");
    }

    /** What the server answers until it closes the connection, ends one whole answer, or goes quiet for {@code within}. */
    public static String answer(Socket socket, Duration within) throws IOException {
        socket.setSoTimeout((int) within.toMillis());
        InputStream in = socket.getInputStream();
        ByteArrayOutputStream read = new ByteArrayOutputStream();
        byte[] buffer = new byte[4096];
        try {
            for (int n; (n = in.read(buffer)) >= 0; ) {
                read.write(buffer, 0, n);
                if (read.toString(StandardCharsets.UTF_8).contains("\r\n\r\n") && complete(read.toString(StandardCharsets.UTF_8))) {
                    break;
                }
            }
        } catch (SocketTimeoutException quiet) {
            // whatever came so far
        } catch (IOException reset) {
            // the server closed it
        }
        return read.toString(StandardCharsets.UTF_8);
    }

    /** True when the server closes the connection (end of stream or reset) within {@code within}. */
    public static boolean closed(Socket socket, Duration within) throws IOException {
        socket.setSoTimeout((int) within.toMillis());
        try {
            return socket.getInputStream().read() < 0;
        } catch (SocketTimeoutException open) {
            return false;
        } catch (IOException reset) {
            return true;
        }
    }

    private static boolean complete(String answer) {
        Matcher length = Pattern.compile("(?i)content-length: *(\\d+)").matcher(answer);
        int head = answer.indexOf("\r\n\r\n") + 4;
        return length.find() && answer.length() - head >= Integer.parseInt(length.group(1));
    }

    /** A gauge or counter without tags from /q/metrics (Prometheus text), in the test's own service. */
    public static double metric(String name) {
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        Matcher value = Pattern.compile("(?m)^" + Pattern.quote(name) + " ([0-9.E+-]+)$").matcher(metrics);
        assertThat(value.find()).as(name + " in /q/metrics").isTrue();
        return Double.parseDouble(value.group(1));
    }
}
