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
 *     ({@link IngestService#parseAndSubmit}): a flood of bodies keeps at most that many threads
 *     busy parsing, beside the one transact worker; the OS shares the cores between them and the
 *     event loops (Java gives no portable way to rank threads), so this bounds the parsing, it does
 *     not reserve a core.</li>
 * </ol>
 * A write is refused here at once, its body never parsed ({@link Unread} says when it is read and
 * dropped to keep the connection, and when the connection is closed instead), when the service takes no writes
 * (starting, fenced, shutting down: 503; heap full: 507), when the queue is full (429), or when
 * {@code asof.limits.writes-in-flight} writes are already between here and the queue (being read,
 * waiting to be parsed, parsing, or a bulk request waiting for room: 429). That last bound keeps
 * the parser's backlog, and so the time a write can wait to be told "queue full" after its parse,
 * short: without it every write admitted while the queue had a little room was read and parsed,
 * then refused. A permit comes back when the write's events are queued or refused, or when its
 * request ends before its body reached the parser.
 *
 * <p>Runs as a REST request filter after {@code BearerTokens} (so a request without a valid token
 * is a 401 and takes nothing) and before {@code dev.asof.http.BodyBudget} (so a refused write
 * reserves no body bytes). Measured by the open-loop overload benchmark (docs/benchmarks.md).
 */
@ApplicationScoped
public class WriteAdmission {
    private static final String PERMIT = WriteAdmission.class.getName();

    private final IngestService ingest;
    private final IngestMetrics metrics;
    private final int bound;
    private final Semaphore inFlight;
    private final int retryAfter;
    private final Unread unread;

    public WriteAdmission(IngestService ingest, IngestMetrics metrics, AsofConfig config, MeterRegistry registry,
            Unread unread) {
        this.ingest = ingest;
        this.metrics = metrics;
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
            metrics.refusedInFlight();
            return Optional.of(unread.refuse(routing, ProblemMapper.render(new Refusal(Refusal.Reason.BUSY,
                    "Too many writes at once", bound + " writes are being read or parsed already"
                            + " (asof.limits.writes-in-flight); this one was not read: retry after the delay",
                    null, retryAfter))));
        }
        Permit permit = new Permit();
        routing.put(PERMIT, permit);
        // Until its body is handed to the parser, the request's end gives the permit back (answered early,
        // the client gone mid-body, cut off at the body deadline); from then on, only the write's outcome does.
        routing.addEndHandler(ended -> {
            if (!permit.handedOff) {
                permit.release();
            }
        });
        return Optional.empty();
    }

    /**
     * Hands the request's permit to its write, once its body has been read: the returned action
     * gives it back, to be run once the write's events are queued or refused (parse error, queue
     * full after the parse, a bulk request that waited for room in vain). A client that goes away
     * meanwhile does not give it back early: its body is still in the parser's queue.
     */
    Runnable handOff(RoutingContext routing) {
        Permit permit = routing.get(PERMIT);
        if (permit == null) {
            return () -> { };
        }
        permit.handedOff = true;
        return permit::release;
    }

    /** One admitted write's place, given back exactly once. */
    private final class Permit {
        private final AtomicBoolean held = new AtomicBoolean(true);
        private volatile boolean handedOff;

        void release() {
            if (held.compareAndSet(true, false)) {
                inFlight.release();
            }
        }
    }
}
