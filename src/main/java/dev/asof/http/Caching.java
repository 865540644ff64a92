package dev.asof.http;

import dev.asof.core.Paged;
import dev.asof.datomic.Answer;
import dev.asof.datomic.Settledness;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.CacheControl;
import jakarta.ws.rs.core.EntityTag;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.util.Map;

/**
 * Puts a read's answer on the wire with the caching {@link Settledness} decides, in HTTP's words:
 * its entity tag as the ETag, a settled answer as immutable for a year (public, or private when
 * shared caches may not keep it), and what the request's conditions make of it as
 * {@link Preconditions} evaluates them: 304 when {@code If-None-Match} matches (weak comparison,
 * lists and {@code *}), 412 when {@code If-Match} does not (strong comparison). Decides nothing itself.
 */
@ApplicationScoped
public class Caching {
    private static final CacheControl PUBLIC = CacheControl.valueOf("public, max-age=31536000, immutable");
    private static final CacheControl PRIVATE = CacheControl.valueOf("private, max-age=31536000, immutable");
    /**
     * A settled answer that holds personal data: an erasure (issue 24) will change it, so no cache
     * keeps it without asking again (RFC 9111 {@code no-cache}); the strong ETag makes asking cheap.
     */
    private static final CacheControl ERASABLE = CacheControl.valueOf("private, no-cache");

    /** What a cached read's 304 means, for its OpenAPI description. */
    public static final String NOT_MODIFIED = "If-None-Match matched the ETag (weak comparison: W/ or not;"
            + " a list of tags, or *)";
    /** What a cached read's 412 means, for its OpenAPI description. */
    public static final String PRECONDITION_FAILED = "If-Match named no current ETag (strong comparison: a weak"
            + " tag matches none)";

    private final Settledness settledness;

    public Caching(Settledness settledness) {
        this.settledness = settledness;
    }

    /** The answer with its caching headers; 304 or 412 as the request's conditions decide. */
    public Response respond(HttpHeaders headers, Answer<?> answer) {
        return build(headers, answer, false).build();
    }

    /**
     * An answer that holds a person's data (a customer): as {@link #respond}, but never kept as
     * immutable, since an erasure changes even a settled one ({@code private, no-cache}).
     */
    public Response respondErasable(HttpHeaders headers, Answer<?> answer) {
        return build(headers, answer, true).build();
    }

    /** A page of a person's data: as {@link #respondErasable}, with the next link. */
    public Response respondErasable(HttpHeaders headers, Answer<? extends Paged> answer, UriInfo uri) {
        return NextLink.add(build(headers, answer, true), uri, answer.body().next()).build();
    }

    /** A page of answers ({@link dev.asof.core.Page}, or a list of its own shape): caching headers as above, and {@code Link: <…>; rel="next"} when there are more. */
    public Response respond(HttpHeaders headers, Answer<? extends Paged> answer, UriInfo uri) {
        return NextLink.add(build(headers, answer, false), uri, answer.body().next()).build();
    }

    /**
     * Settled: the basis is, and the body is not a page a read bound ended ({@link Paged#bounded}),
     * whose shape depends on that setting and so could differ after a restart with another.
     */
    private Response.ResponseBuilder build(HttpHeaders headers, Answer<?> answer, boolean erasable) {
        boolean settled = answer.basis().settled() && !(answer.body() instanceof Paged page && page.bounded());
        Settledness.Rendered rendered = settledness.render(answer.body(), settled);
        EntityTag tag = new EntityTag(rendered.tag(), rendered.weak());
        Preconditions.Outcome outcome = Preconditions.evaluate(headers.getRequestHeader(HttpHeaders.IF_MATCH),
                headers.getRequestHeader(HttpHeaders.IF_NONE_MATCH), tag);
        if (outcome == Preconditions.Outcome.PRECONDITION_FAILED) {
            // The current tag, so the client can tell why; no caching headers: a cache must not keep a 412 for the answer.
            return Response.fromResponse(ProblemMapper.render(Problem.of(412, "Precondition failed",
                    "If-Match names no current representation of this resource: its entity tag is "
                            + (tag.isWeak() ? "W/\"" : "\"") + tag.getValue()
                            + "\", and If-Match compares strongly (a weak tag matches none)"), Map.of())).tag(tag);
        }
        Response.ResponseBuilder response = outcome == Preconditions.Outcome.NOT_MODIFIED ? Response.notModified()
                : Response.ok(rendered.json(), MediaType.APPLICATION_JSON_TYPE);
        response.tag(tag);
        if (settled) {
            response.cacheControl(erasable ? ERASABLE : settledness.shareable() ? PUBLIC : PRIVATE);
        }
        return response;
    }
}
