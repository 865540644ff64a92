package dev.asof.http;

import dev.asof.config.AsofConfig;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.Response;

/**
 * The answer to a request refused before its body was read (no room for the write, or for its
 * body): the one home of what becomes of the body and the connection.
 *
 * <ul>
 * <li>A body announced at most {@value #DRAINED} bytes (a usual write: a price, a batch of a
 *     hundred) is read and dropped, never parsed nor kept, and the connection carries the client's
 *     next request. Closing instead would cost the client a new connection for each retry, and a
 *     close with bytes of the body unread resets the connection (TCP), which can destroy the answer
 *     before the client reads it (RFC 9112, section 9.6).</li>
 * <li>A larger body, one of unannounced length, or one its client holds back until told to send
 *     it ({@code Expect: 100-continue}: it may never come, and a drain would take the client's
 *     next request for it) is not read at all: the answer says {@code Connection: close}, and the
 *     connection is closed once it is written. A client still sending such a body may see the
 *     connection reset instead of the answer.</li>
 * <li>Over HTTP/2 every refused body is drained, whatever its size: its stream ends alone, and a
 *     body left unread would hold the connection's flow-control window from the other streams.</li>
 * <li>A drained body must arrive within {@code asof.limits.body-read-timeout}, as any body; a client
 *     that stops sending is cut off then (its connection closed, or its HTTP/2 stream reset).</li>
 * </ul>
 */
@ApplicationScoped
public class Unread {
    /** The largest body read and dropped to keep its connection: 64 KiB. */
    static final long DRAINED = 64 * 1024;

    private final long deadlineMillis;

    public Unread(AsofConfig config) {
        this.deadlineMillis = config.limits().bodyReadTimeout().toMillis();
    }

    /** {@code answer}, and what the rules above do with the request's body and connection. */
    public Response refuse(RoutingContext routing, Response answer) {
        HttpServerRequest request = routing.request();
        if (request.isEnded()) {
            return answer;
        }
        boolean http2 = request.version() == HttpVersion.HTTP_2;
        long announced = AnnouncedBody.length(request);
        boolean waitsForContinue = "100-continue".equalsIgnoreCase(request.getHeader(HttpHeaders.EXPECT));
        if (!http2 && (waitsForContinue || announced > DRAINED || announced < 0)) {
            routing.addEndHandler(answered -> request.connection().close());
            return Response.fromResponse(answer).header("Connection", "close").build();
        }
        long deadline = routing.vertx().setTimer(deadlineMillis, id -> {
            if (!request.isEnded()) {
                if (http2) {
                    routing.response().reset();
                } else {
                    request.connection().close();
                }
            }
        });
        request.handler(dropped -> { });
        request.endHandler(whole -> routing.vertx().cancelTimer(deadline));
        request.exceptionHandler(failed -> routing.vertx().cancelTimer(deadline));
        request.resume();
        return answer;
    }
}
