package dev.asof.http;

import dev.asof.core.Page;
import dev.asof.datomic.Answer;
import dev.asof.datomic.Settledness;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.CacheControl;
import jakarta.ws.rs.core.EntityTag;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Request;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

/**
 * Puts a read's answer on the wire with the caching {@link Settledness} decides, in HTTP's words:
 * its entity tag as the ETag, a settled answer as immutable for a year (public, or private when
 * shared caches may not keep it), and 304 when {@code If-None-Match} matches. Decides nothing itself.
 */
@ApplicationScoped
public class Caching {
    private static final CacheControl PUBLIC = CacheControl.valueOf("public, max-age=31536000, immutable");
    private static final CacheControl PRIVATE = CacheControl.valueOf("private, max-age=31536000, immutable");

    private final Settledness settledness;

    public Caching(Settledness settledness) {
        this.settledness = settledness;
    }

    /** The answer with its caching headers, or 304 when If-None-Match matches. */
    public Response respond(Request request, Answer<?> answer) {
        return build(request, answer).build();
    }

    /** A page of answers: caching headers as above, and {@code Link: <…>; rel="next"} when there are more. */
    public Response respond(Request request, Answer<? extends Page<?>> answer, UriInfo uri) {
        return NextLink.add(build(request, answer), uri, answer.body().next()).build();
    }

    /**
     * Settled: the basis is, and the body is not a page a read bound ended ({@link Page#bounded}),
     * whose shape depends on that setting and so could differ after a restart with another.
     */
    private Response.ResponseBuilder build(Request request, Answer<?> answer) {
        boolean settled = answer.basis().settled() && !(answer.body() instanceof Page<?> page && page.bounded());
        Settledness.Rendered rendered = settledness.render(answer.body(), settled);
        EntityTag tag = new EntityTag(rendered.tag(), rendered.weak());
        Response.ResponseBuilder notModified = request.evaluatePreconditions(tag);
        Response.ResponseBuilder response = notModified != null ? notModified
                : Response.ok(rendered.json(), MediaType.APPLICATION_JSON_TYPE);
        response.tag(tag);
        if (settled) {
            response.cacheControl(settledness.shareable() ? PUBLIC : PRIVATE);
        }
        return response;
    }
}
