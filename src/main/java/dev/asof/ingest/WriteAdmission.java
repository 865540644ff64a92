package dev.asof.ingest;

import dev.asof.config.AsofConfig;
import dev.asof.core.Refusal;
import dev.asof.http.ProblemMapper;
import dev.asof.http.Unread;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.core.Response;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;
import org.jboss.resteasy.reactive.server.SimpleResourceInfo;

/**
 * Where the cores go when more writes arrive than the service can take: the one home of the
 * decision whether a {@code POST /events} is taken, made <em>before a byte of its body is read</em>.
 *
 * <p>The two cores of the smallest deployment are shared so, in this order of precedence:
 * <ol>
 * <li>The Vert.x event loops read every connection, answer every point read, and shed: a write
 *     that cannot be taken costs them one header check and a small answer, nothing else.</li>
 * <li>The one transact worker commits; the queue in front of it is bounded
 *     ({@code asof.queue.capacity}), so an accepted write waits at most for the queue ahead of it.</li>
 * <li>Parsing runs on its own pool of one thread fewer than the cores, at least one
 *     ({@link IngestService#parseAndSubmit}): a flood of bodies can take at most that many cores,
 *     never the event loops' last one.</li>
 * </ol>
 * A write is refused here at once, its body never parsed ({@link Unread} says when it is read and
 * dropped to keep the connection, and when the connection is closed instead), when the service takes no writes
 * (starting, fenced, shutting down: 503; heap full: 507), when the queue is full (429), or when
 * {@code asof.limits.writes-in-flight} writes are already between here and the queue (being read,
 * waiting to be parsed, or parsing: 429). That last bound keeps the parser's backlog, and so the
 * time a write can wait to be told "queue full" after its parse, short: without it every write
 * admitted while the queue had a little room was read and parsed, then refused. A permit comes
 * back when the write's events are queued or refused, or when its request ends however it ends.
 *
 * <p>Runs as a REST request filter after {@code BearerTokens} (so a request without a valid token
 * is a 401 and takes nothing) and before {@code dev.asof.http.BodyBudget} (so a refused write
 * reserves no body bytes). Measured by the open-loop overload benchmark (docs/benchmarks.md).
 */
@ApplicationScoped
public class WriteAdmission {
    private static final String PERMIT = WriteAdmission.class.getName();

    private final IngestService ingest;
    private final int bound;
    private final Semaphore inFlight;
    private final int retryAfter;
    private final Unread unread;

    public WriteAdmission(IngestService ingest, AsofConfig config, MeterRegistry registry, Unread unread) {
        this.ingest = ingest;
        this.unread = unread;
        this.bound = config.limits().writesInFlight();
        this.inFlight = new Semaphore(bound);
        this.retryAfter = config.queue().retryAfterSeconds();
        Gauge.builder("asof.http.writes.in.flight", this, admission -> admission.bound - admission.inFlight.availablePermits())
                .description("POST /events requests admitted whose events are not yet queued or refused (being read or parsed)")
                .register(registry);
    }

    /**
     * Admits a {@code POST /events}, or refuses it before its body is read.
     *
     * @return the refusal's answer (429, 503 or 507 problem+json, with Retry-After where a retry helps); empty when admitted
     */
    @ServerRequestFilter(priority = Priorities.USER + 50)
    public Optional<Response> admit(SimpleResourceInfo resource, RoutingContext routing) {
        if (resource.getResourceClass() != EventsResource.class) {
            return Optional.empty();
        }
        try {
            ingest.refuseEarlyIfFull();
        } catch (Refusal refusal) {
            return Optional.of(unread.refuse(routing, ProblemMapper.render(refusal)));
        }
        if (!inFlight.tryAcquire()) {
            ingest.refusedInFlight();
            return Optional.of(unread.refuse(routing, ProblemMapper.render(new Refusal(Refusal.Reason.BUSY,
                    "Too many writes at once", bound + " writes are being read or parsed already"
                            + " (asof.limits.writes-in-flight); this one was not read: retry after the delay",
                    null, retryAfter))));
        }
        AtomicBoolean held = new AtomicBoolean(true);
        Runnable release = () -> {
            if (held.compareAndSet(true, false)) {
                inFlight.release();
            }
        };
        routing.put(PERMIT, release);
        routing.addEndHandler(ended -> release.run());
        return Optional.empty();
    }

    /** Gives the request's permit back once its events are queued or refused. */
    void release(RoutingContext routing) {
        Runnable release = routing.get(PERMIT);
        if (release != null) {
            release.run();
        }
    }
}
