package dev.asof.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.asof.datomic.Answer;
import dev.asof.datomic.TimeTravel.Basis;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.CacheControl;
import jakarta.ws.rs.core.EntityTag;
import jakarta.ws.rs.core.Request;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Caching headers for reads. An answer at a settled point (a t at or below the basis, or an
 * instant in the past) never changes: {@code Cache-Control: public, max-age=31536000, immutable}
 * and a strong ETag from its content. An answer about "now" carries an ETag made from the basis t
 * (and whatever else decides the answer), and a matching {@code If-None-Match} gets 304.
 */
@ApplicationScoped
public class Caching {
    private static final CacheControl IMMUTABLE = CacheControl.valueOf("public, max-age=31536000, immutable");

    private final ObjectMapper mapper;

    public Caching(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    /** The answer with its caching headers, or 304 when If-None-Match matches. */
    public Response respond(Request request, Answer<?> answer) {
        return build(request, answer).build();
    }

    /** A page of answers: caching headers as above, and {@code Link: <…>; rel="next"} when there are more. */
    public Response respond(Request request, Answer<? extends Page<?>> answer, UriInfo uri) {
        return answer.body().link(build(request, answer), uri).build();
    }

    /**
     * The answer's {@code versionTag}: for answers about now, what besides the basis t decides
     * the answer (the version answered, say), or "" when the basis alone does.
     */
    private Response.ResponseBuilder build(Request request, Answer<?> answer) {
        Basis basis = answer.basis();
        Object entity = answer.body();
        String nowTag = answer.versionTag();
        EntityTag tag = basis.settled() ? new EntityTag(contentHash(entity))
                : new EntityTag("b" + basis.basisT() + (nowTag.isEmpty() ? "" : "-" + nowTag));
        Response.ResponseBuilder notModified = request.evaluatePreconditions(tag);
        Response.ResponseBuilder response = notModified != null ? notModified : Response.ok(entity);
        response.tag(tag);
        if (basis.settled()) {
            response.cacheControl(IMMUTABLE);
        }
        return response;
    }

    private String contentHash(Object entity) {
        try {
            byte[] body = mapper.writeValueAsBytes(entity);
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body), 0, 16);
        } catch (JsonProcessingException | NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

}
