package dev.asof.http;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;

/**
 * What a request's head says of its body, before a byte of it is read: the one reading of
 * {@code Content-Length} and {@code Transfer-Encoding} for the HTTP layer's limit ({@link BodyLimit}),
 * the body budget ({@link BodyBudget}) and refusals ({@link Unread}).
 */
final class AnnouncedBody {
    /** A body of unannounced length: a transfer coding, or an HTTP/2 stream of a body method still open without Content-Length. */
    static final long UNANNOUNCED = -1;
    /** A Content-Length that is not a number (Vert.x refuses such a request itself before asof sees it). */
    static final long MALFORMED = -2;

    private AnnouncedBody() {
    }

    /** The announced body length in bytes, 0 for none, or {@link #UNANNOUNCED} or {@link #MALFORMED}. */
    static long length(HttpServerRequest request) {
        String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
        if (length != null) {
            try {
                return Long.parseLong(length.trim());
            } catch (NumberFormatException e) {
                return MALFORMED;
            }
        }
        if (request.headers().contains(HttpHeaders.TRANSFER_ENCODING)
                || (request.version() == HttpVersion.HTTP_2 && carriesBody(request.method()) && !request.isEnded())) {
            // Any transfer coding (chunked, or "gzip, chunked"), or an HTTP/2 request of a method with a
            // body whose stream is still open (a GET's stream may not have ended yet here either).
            return UNANNOUNCED;
        }
        return 0;
    }

    /** Methods whose requests carry a body asof reads (POST /events): the others' bodies are never read. */
    private static boolean carriesBody(HttpMethod method) {
        return HttpMethod.POST.equals(method) || HttpMethod.PUT.equals(method) || HttpMethod.PATCH.equals(method);
    }
}
