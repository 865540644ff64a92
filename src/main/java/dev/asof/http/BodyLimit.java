package dev.asof.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The HTTP layer's own body limit ({@code quarkus.http.limits.max-body-size}) answered as a 413
 * problem, like every other error: a request whose Content-Length announces more is refused here,
 * before Quarkus would end it with an empty 413 and before a byte of its body is read. A chunked
 * body (no Content-Length) that crosses the limit is still cut off by Quarkus itself: an empty 413
 * and a closed connection, its response head already written when asof could speak.
 */
@ApplicationScoped
public class BodyLimit {
    /** Just before Quarkus's own check (RouteConstants.ROUTE_ORDER_UPLOAD_LIMIT, -2). */
    private static final int ORDER = -3;

    private final long limit;
    private final byte[] problem;

    public BodyLimit(@ConfigProperty(name = "quarkus.http.limits.max-body-size") MemorySize limit, ObjectMapper mapper)
            throws JsonProcessingException {
        this.limit = limit.asLongValue();
        this.problem = mapper.writeValueAsBytes(Problem.of(413, "Request too large",
                "A request body may hold at most " + this.limit + " bytes; asof's own limits are lower"
                        + " (1 MiB of JSON, 16 MiB of NDJSON or CSV): split it"));
    }

    void route(@Observes Router router) {
        router.route().order(ORDER - 1).handler(context -> {
            if (AnnouncedBody.length(context.request()) > limit) {
                refuse(context);
                return;
            }
            context.next();
        });
    }

    private void refuse(io.vertx.ext.web.RoutingContext context) {
        context.response().setStatusCode(413)
                .putHeader(HttpHeaders.CONTENT_TYPE, Problem.MEDIA_TYPE)
                .putHeader(HttpHeaders.CONNECTION, "close")
                .end(io.vertx.core.buffer.Buffer.buffer(problem));
    }
}
