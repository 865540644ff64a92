package dev.asof.http;

import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

/** {@code Link: <…>; rel="next"} (RFC 8288): the request's own URI, with the next page's cursor. */
public final class NextLink {
    private NextLink() {
    }

    /** Adds the link to the page that {@code cursor} resumes at; nothing when it is null (no more pages). */
    public static Response.ResponseBuilder add(Response.ResponseBuilder response, UriInfo uri, String cursor) {
        if (cursor != null) {
            response.header("Link", "<" + uri.getRequestUriBuilder().replaceQueryParam("cursor", cursor).build()
                    + ">; rel=\"next\"");
        }
        return response;
    }
}
