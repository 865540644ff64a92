package dev.asof.http;

import dev.asof.config.AsofConfig;
import dev.asof.customers.CustomerResource;
import dev.asof.ingest.EventsResource;
import dev.asof.log.ChangesResource;
import dev.asof.log.TxResource;
import dev.asof.prices.PriceResource;
import jakarta.ws.rs.core.UriInfo;
import java.util.List;
import dev.asof.datomic.StoreUnavailableException;
import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Request;
import jakarta.ws.rs.core.Response;
import java.util.concurrent.CompletionException;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * Turns every exception a request can end in into problem+json. Nothing else writes error
 * bodies, and no body ever carries a stack trace.
 */
public class ProblemMapper {
    private static final Logger LOG = Logger.getLogger(ProblemMapper.class);

    /** Every resource asof serves, for the Allow header of a 405. */
    private static final AllowedMethods ALLOWED = AllowedMethods.of(List.of(EventsResource.class, PriceResource.class,
            CustomerResource.class, TxResource.class, ChangesResource.class))
            // The explorer: static files at / and under /explorer/, served by Quarkus and only read.
            .and("/|/index\\.html|/explorer/.+", "GET", "HEAD");

    private final int retryAfter;

    public ProblemMapper(AsofConfig config) {
        this.retryAfter = config.queue().retryAfterSeconds();
    }

    @ServerExceptionMapper
    public Response problem(ProblemException e) {
        return render(e);
    }

    @ServerExceptionMapper
    public Response unavailable(StoreUnavailableException e) {
        return render(ProblemException.unavailable(e.getMessage(), retryAfter));
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e, UriInfo uri, Request request) {
        int status = e.getResponse().getStatus();
        if (status == 404 && !HttpMethod.GET.equals(request.getMethod()) && !HttpMethod.HEAD.equals(request.getMethod())
                && ALLOWED.allow(uri.getPath()) != null) {
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
            case 415 -> "Unsupported Content-Type; send application/json or application/x-ndjson";
            default -> e.getMessage();
        };
        ProblemException problem = new ProblemException(status, title, detail);
        Response response = render(problem);
        String allow = status != 405 ? null
                : e.getResponse().getHeaderString("Allow") != null ? e.getResponse().getHeaderString("Allow")
                : ALLOWED.allow(uri.getPath());
        return allow == null ? response : Response.fromResponse(response).header("Allow", allow).build();
    }

    @ServerExceptionMapper
    public Response unexpected(Throwable e) {
        Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
        if (cause instanceof ProblemException p) {
            return render(p);
        }
        if (clientGone(cause)) {
            // A body cut off at its deadline (BodyBudget) or a client that closed mid-body: nobody to answer.
            LOG.debugf("A request's connection closed before its body was read: %s", cause);
            return render(new ProblemException(400, "Connection closed", "The connection closed before the body was read"));
        }
        LOG.error("Unexpected error answering a request", cause);
        return render(new ProblemException(500, "Internal error",
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

    public static Response render(ProblemException e) {
        Response.ResponseBuilder builder = Response.status(e.status())
                .type(Problem.MEDIA_TYPE)
                .entity(e.toProblem());
        e.headers().forEach(builder::header);
        return builder.build();
    }
}
