package dev.asof.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.asof.config.AsofConfig;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.core.Response;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * One budget for the request bodies the process holds at once ({@code asof.limits.body-bytes-in-flight}):
 * the only home of the rule "how many body bytes may be in memory". A request with a body reserves
 * its announced {@code Content-Length} (a chunked body, the largest body allowed,
 * {@code quarkus.http.limits.max-body-size}) <em>before a byte of it is read</em>, and gives it back
 * exactly once: when its body has been parsed ({@link #release}), or when its request ends however it
 * ends (answered, connection closed, failed). With no room, the request is a 429 at once, with
 * {@code Retry-After}, its body unread ({@link Unread} says what becomes of it and its connection).
 *
 * <p>Bodies larger than the JSON limit ({@code asof.limits.json-bytes}: bulk NDJSON, and every body
 * of unannounced length) may hold only three quarters of the budget (at least one largest body);
 * the rest is for small bodies only. A few clients that stall in large bodies — a token holder can
 * send all but the last byte of one — hold at most that share, and small writes go on meanwhile.
 *
 * <p>A body must arrive whole within {@code asof.limits.body-read-timeout} of its reservation: a
 * client that stops sending mid-body is answered 408 and its connection closed, and its bytes are
 * free again. Quarkus's own settings do not do this: {@code quarkus.http.idle-timeout} (30 min)
 * restarts with every byte a slow client trickles, and {@code quarkus.http.read-timeout} applies to
 * blocking reads only. So fifty stalled clients hold at most the budget, for at most the deadline.
 *
 * <p>The check runs as a REST request filter after {@code BearerTokens} (priority
 * {@code USER + 100}): Quarkus REST runs request filters before it reads a body, so a request with
 * no valid token is a 401 without reserving anything, and an anonymous client cannot starve writers.
 */
@Startup
@ApplicationScoped
public class BodyBudget {
    private static final String RESERVATION = BodyBudget.class.getName();
    /** Set on a request its deadline cut off: it was answered (408) or reset here. */
    private static final String CUT_OFF = BodyBudget.class.getName() + ".cutOff";
    private static final Logger LOG = Logger.getLogger(BodyBudget.class);
    /** An eighth of the heap by default: a body takes a few times its size while read and parsed (the buffer, its copy, the parse). */
    private static final int HEAP_SHARE = 8;

    private final long capacity;
    /** The share bodies larger than {@link #small} may hold. */
    private final long largeCapacity;
    /** The largest body counted as small: the JSON limit. */
    private final long small;
    private final long unannounced;
    private final long deadlineMillis;
    private final int retryAfter;
    private final byte[] late;
    private final AtomicLong inFlight = new AtomicLong();
    private final Unread unread;

    public BodyBudget(AsofConfig config, @ConfigProperty(name = "quarkus.http.limits.max-body-size") MemorySize maxBody,
            ObjectMapper mapper, MeterRegistry registry, Unread unread) throws JsonProcessingException {
        this.unread = unread;
        this.unannounced = maxBody.asLongValue();
        this.capacity = config.limits().bodyBytesInFlight()
                .orElse(Math.max(unannounced, Runtime.getRuntime().maxMemory() / HEAP_SHARE));
        if (capacity < unannounced) {
            throw new IllegalArgumentException("ASOF_LIMITS_BODY_BYTES_IN_FLIGHT (asof.limits.body-bytes-in-flight) is "
                    + capacity + " bytes, less than the largest body the HTTP layer takes (" + unannounced
                    + " bytes, quarkus.http.limits.max-body-size): such a body could never be read. Raise it or leave it unset");
        }
        this.small = config.limits().jsonBytes();
        this.largeCapacity = Math.max(unannounced, capacity - capacity / 4);
        this.deadlineMillis = config.limits().bodyReadTimeout().toMillis();
        if (deadlineMillis <= 0) {
            throw new IllegalArgumentException("ASOF_LIMITS_BODY_READ_TIMEOUT (asof.limits.body-read-timeout) must be positive");
        }
        this.retryAfter = config.queue().retryAfterSeconds();
        this.late = mapper.writeValueAsBytes(Problem.of(408, "Request timeout",
                "The request's body did not arrive within " + config.limits().bodyReadTimeout().toSeconds()
                        + " s (asof.limits.body-read-timeout); send it again, whole"));
        Gauge.builder("asof.http.body.bytes.in.flight", inFlight, AtomicLong::get)
                .description("Request body bytes reserved now (announced, being read or parsed), of the budget")
                .register(registry);
        Gauge.builder("asof.http.body.bytes.budget", this, budget -> budget.capacity)
                .description("The most request body bytes held at once (asof.limits.body-bytes-in-flight)")
                .register(registry);
    }

    /** The most body bytes held at once, in bytes. */
    public long capacity() {
        return capacity;
    }

    /** Body bytes reserved now. */
    public long inFlight() {
        return inFlight.get();
    }

    /**
     * Reserves a request's body before it is read.
     *
     * @return a 429 problem when the budget has no room for it; empty when reserved or bodiless
     */
    @ServerRequestFilter(priority = Priorities.USER + 100)
    public Optional<Response> reserve(RoutingContext routing) {
        HttpServerRequest request = routing.request();
        long bytes = AnnouncedBody.length(request);
        if (bytes == AnnouncedBody.UNANNOUNCED) {
            bytes = unannounced; // it may grow to the largest body taken
        }
        if (bytes <= 0 || request.isEnded()) {
            return Optional.empty();
        }
        if (!tryReserve(bytes)) {
            return Optional.of(unread.refuse(routing, ProblemMapper.render(Problem.of(429, "Too many request bodies at once",
                    "Other requests' bodies fill the " + capacity + " bytes this service reads at once"
                            + " (asof.limits.body-bytes-in-flight); this one (" + bytes + " bytes) was not read:"
                            + " retry after the delay"),
                    Map.of("Retry-After", Integer.toString(retryAfter)))));
        }
        Reservation reservation = new Reservation(bytes, routing);
        routing.put(RESERVATION, reservation);
        routing.addEndHandler(ended -> reservation.release());
        reservation.timer = routing.vertx().setTimer(deadlineMillis, id -> expire(routing, reservation));
        return Optional.empty();
    }

    /**
     * A request cut off at its deadline was answered already; its handler then fails on the body it
     * never got, and on writing an answer over the 408. That is the end of a slow client, not an error
     * of the service: logged at debug, not as an error with a stack trace (Quarkus's error handler,
     * which comes later in the router, would).
     */
    void quietAfterCutOff(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE).failureHandler(routing -> {
            if (Boolean.TRUE.equals(routing.get(CUT_OFF))) {
                LOG.debugf("A request cut off at its body deadline failed after its answer: %s", routing.failure());
                return;
            }
            routing.next();
        });
    }

    /** Gives back the request's reservation once its body has been parsed: the bytes are garbage from here on. */
    public void release(RoutingContext routing) {
        Reservation reservation = routing.get(RESERVATION);
        if (reservation != null) {
            reservation.release();
        }
    }

    private boolean tryReserve(long bytes) {
        long limit = bytes > small ? largeCapacity : capacity;
        while (true) {
            long held = inFlight.get();
            if (held + bytes > limit) {
                return false;
            }
            if (inFlight.compareAndSet(held, held + bytes)) {
                return true;
            }
        }
    }

    /** At the deadline: a body still arriving is cut off; a request already answered gives its bytes back. */
    private void expire(RoutingContext routing, Reservation reservation) {
        HttpServerRequest request = routing.request();
        HttpServerResponse response = routing.response();
        if (response.ended() || response.closed()) {
            reservation.release();
            return;
        }
        if (request.isEnded()) {
            return; // read whole: parsing gives it back, or the end of the request
        }
        reservation.release();
        routing.put(CUT_OFF, Boolean.TRUE);
        if (request.version() == HttpVersion.HTTP_2) {
            response.reset();
        } else if (response.headWritten()) {
            request.connection().close();
        } else {
            response.setStatusCode(408).putHeader(HttpHeaders.CONTENT_TYPE, Problem.MEDIA_TYPE)
                    .putHeader(HttpHeaders.CONNECTION, "close")
                    .end(Buffer.buffer(late)).onComplete(written -> request.connection().close());
        }
    }

    /** One request's bytes, given back once whichever of parsing, the end of the request or the deadline comes first. */
    private final class Reservation {
        private final long bytes;
        private final RoutingContext routing;
        private final AtomicBoolean released = new AtomicBoolean();
        private volatile long timer = -1;

        Reservation(long bytes, RoutingContext routing) {
            this.bytes = bytes;
            this.routing = routing;
        }

        void release() {
            if (released.compareAndSet(false, true)) {
                inFlight.addAndGet(-bytes);
                if (timer >= 0) {
                    routing.vertx().cancelTimer(timer);
                }
            }
        }
    }
}
