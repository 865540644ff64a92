package dev.asof.http;

import dev.asof.config.AsofConfig;
import dev.asof.core.Refusal;
import dev.asof.datomic.StoreUnavailableException;
import jakarta.enterprise.inject.spi.BeanManager;
import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Request;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.util.Map;
import java.util.concurrent.CompletionException;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * Turns every exception a request can end in into problem+json; only the answers given before a
 * request reaches JAX-RS ({@link RequestTarget}'s 400, {@link BodyLimit}'s 413, {@link BodyBudget}'s
 * 408) write their problem themselves. No body ever carries a stack trace, nor the framework's own
 * account of a failure. The one home of the table from a {@link Refusal}'s reason to its HTTP status
 * ({@link #status}).
 */
public class ProblemMapper {
    private static final Logger LOG = Logger.getLogger(ProblemMapper.class);

    private final int retryAfter;
    /** What every path asof serves allows, for the Allow header of a 405. */
    private final AllowedMethods allowed;

    public ProblemMapper(AsofConfig config, BeanManager beans) {
        this.retryAfter = config.queue().retryAfterSeconds();
        this.allowed = AllowedMethods.of(AllowedMethods.resources(beans))
                // The explorer: static files at /, its icons and under /explorer/, served by Quarkus and only read.
                .and("/|/index\\.html|/favicon\\.(ico|svg)|/explorer/.+", "GET", "HEAD");
    }

    /** The HTTP status of each reason asof refuses for. */
    public static int status(Refusal.Reason reason) {
        return switch (reason) {
            case INVALID -> 400;
            case FORBIDDEN -> 403;
            case NOT_FOUND -> 404;
            case GONE -> 410;
            case TOO_LARGE -> 413;
            case CONFLICT, REJECTED -> 422;
            case BUSY -> 429;
            case INTERNAL -> 500;
            case UNAVAILABLE -> 503;
            case HEAP_FULL -> 507;
        };
    }

    /** A refusal as a problem detail: the body of its HTTP answer, and of a broker's dead letter. */
    public static Problem problem(Refusal refusal) {
        return new Problem("about:blank", refusal.title(), status(refusal.reason()), refusal.detail(), refusal.errors(),
                refusal.events());
    }

    @ServerExceptionMapper
    public Response refusal(Refusal e) {
        return render(e);
    }

    @ServerExceptionMapper
    public Response unavailable(StoreUnavailableException e) {
        return render(Refusal.unavailable(e.getMessage(), retryAfter));
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e, UriInfo uri, Request request) {
        int status = e.getResponse().getStatus();
        if (status == 404 && !HttpMethod.GET.equals(request.getMethod()) && !HttpMethod.HEAD.equals(request.getMethod())
                && allowed.allow(uri.getPath()) != null) {
            // A path served outside JAX-RS (a static file) reaches here as a 404 whatever the method; a
            // GET that gets here names a file that does not exist.
            status = 405;
        }
        Response.StatusType type = Response.Status.fromStatusCode(status);
        String title = type != null ? type.getReasonPhrase() : "HTTP " + status;
        String detail = switch (status) {
            case 404 -> "No resource at this path";
            case 405 -> "This method is not allowed on this path";
            case 406 -> "No acceptable representation; asof answers application/json";
            case 415 -> "Unsupported Content-Type; send application/json, application/x-ndjson or text/csv";
            default -> {
                // The framework's own words (its classes, its parsers' settings) are for the log, not the client.
                if (status >= 500) {
                    LOG.error("A request ended in HTTP " + status, e);
                    yield "The service failed to answer; the error is logged";
                }
                LOG.debugf("A request was refused with HTTP %d: %s", status, e.getMessage());
                yield "The request cannot be answered as sent (" + title + ")";
            }
        };
        String allow = status != 405 ? null
                : e.getResponse().getHeaderString("Allow") != null ? e.getResponse().getHeaderString("Allow")
                : allowed.allow(uri.getPath());
        return render(Problem.of(status, title, detail), allow == null ? Map.of() : Map.of("Allow", allow));
    }

    @ServerExceptionMapper
    public Response unexpected(Throwable e) {
        Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
        if (cause instanceof Refusal refusal) {
            return render(refusal);
        }
        if (clientGone(cause)) {
            // A body cut off at its deadline (BodyBudget) or a client that closed mid-body: nobody to answer.
            LOG.debugf("A request's connection closed before its body was read: %s", cause);
            return render(Problem.of(400, "Connection closed", "The connection closed before the body was read"), Map.of());
        }
        LOG.error("Unexpected error answering a request", cause);
        return render(new Refusal(Refusal.Reason.INTERNAL, "Internal error",
                "The service failed to answer; the error is logged"));
    }

    private static boolean clientGone(Throwable error) {
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (cause instanceof io.vertx.core.http.HttpClosedException) {
                return true;
            }
        }
        return false;
    }

    /** A refusal's answer: its problem, and Retry-After when it says when a retry may succeed. */
    public static Response render(Refusal refusal) {
        return render(problem(refusal), refusal.retryAfterSeconds() == null ? Map.of()
                : Map.of("Retry-After", Integer.toString(refusal.retryAfterSeconds())));
    }

    /** An answer only HTTP gives (a token, a method, a media type, a body's size or pace), with its headers. */
    public static Response render(Problem problem, Map<String, String> headers) {
        Response.ResponseBuilder builder = Response.status(problem.status())
                .type(Problem.MEDIA_TYPE)
                .entity(problem);
        headers.forEach(builder::header);
        return builder.build();
    }
}
