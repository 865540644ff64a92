package dev.asof.http;

import dev.asof.datomic.Answer;
import dev.asof.datomic.Settledness;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Request;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

/**
 * Puts a read's answer on the wire with the caching headers {@link Settledness} decides (ETag,
 * Cache-Control), and answers 304 when {@code If-None-Match} matches. Decides nothing itself.
 */
@ApplicationScoped
public class Caching {
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
        return answer.body().link(build(request, answer), uri).build();
    }

    private Response.ResponseBuilder build(Request request, Answer<?> answer) {
        boolean settled = answer.basis().settled();
        Settledness.Rendered rendered = settledness.render(answer.body(), settled);
        Response.ResponseBuilder notModified = request.evaluatePreconditions(rendered.tag());
        Response.ResponseBuilder response = notModified != null ? notModified
                : Response.ok(rendered.json(), MediaType.APPLICATION_JSON_TYPE);
        response.tag(rendered.tag());
        if (settled) {
            response.cacheControl(settledness.settledCacheControl());
        }
        return response;
    }
}
