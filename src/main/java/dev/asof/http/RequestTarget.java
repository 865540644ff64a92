package dev.asof.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.asof.core.FieldError;
import dev.asof.core.Refusal;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Every request target is checked here before anything reads it, whatever path it is for (asof's
 * resources, the explorer's files, Quarkus's own endpoints), and one that cannot be read is a 400
 * problem saying why:
 * <ul>
 * <li>each {@code %} begins an escape, {@code "%" HEXDIG HEXDIG} (RFC 3986 §2.1);</li>
 * <li>the octets a run of escapes stands for are UTF-8 (RFC 3986 §2.5: asof's path segments and
 *     parameters are all text), not decoded to U+FFFD and answered as if that had been sent;</li>
 * <li>the whole is a URI reference as {@link URI} reads it (no spaces, no {@code |}, and so on).</li>
 * </ul>
 * The problem names the parameter (or the path) and shows the escapes at fault.
 *
 * <p>Quarkus makes the last check itself, before any application code, and answers a failure with an
 * empty 400 — a {@code %zz} included. {@code dev.asof.Main} (and, for {@code quarkus:dev} and the
 * tests, pom.xml) turns that check off — the JVM property {@code vertx.disableURIValidation}, read
 * once when Quarkus's HTTP layer loads — because this one makes it, as the first route of the router,
 * and says why. A process started without the property (another main, a JVM not configured so) keeps
 * Quarkus's check: the same requests refused, with an empty 400.
 */
@ApplicationScoped
public class RequestTarget {
    /** The first route: before {@link BodyLimit} and everything else that may read the target. */
    private static final int ORDER = Integer.MIN_VALUE;
    private static final int SHOWN = 40;

    private final ObjectMapper mapper;

    public RequestTarget(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    void route(@Observes Router router) {
        router.route().order(ORDER).handler(context -> {
            Refusal bad = check(context.request().uri());
            if (bad == null) {
                context.next();
            } else {
                refuse(context, bad);
            }
        });
    }

    private void refuse(RoutingContext context, Refusal bad) {
        byte[] body;
        try {
            body = mapper.writeValueAsBytes(ProblemMapper.problem(bad));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        context.response().setStatusCode(ProblemMapper.status(bad.reason()))
                .putHeader(HttpHeaders.CONTENT_TYPE, Problem.MEDIA_TYPE)
                .end(Buffer.buffer(body));
    }

    /** Why the request target {@code uri} cannot be read, or null when it can. */
    static Refusal check(String uri) {
        if (uri == null) {
            return Refusal.invalid("The request has no target", null);
        }
        int query = uri.indexOf('?');
        String why = escapes(query < 0 ? uri : uri.substring(0, query));
        if (why != null) {
            return Refusal.invalid("The path " + why, List.of(new FieldError(null, null, "path", why)));
        }
        if (query >= 0) {
            for (String parameter : uri.substring(query + 1).split("&")) {
                why = escapes(parameter);
                if (why != null) {
                    int equals = parameter.indexOf('=');
                    String name = equals < 0 ? parameter : parameter.substring(0, equals);
                    boolean named = escapes(name) == null; // else the name itself is at fault
                    return Refusal.invalid((named ? "Parameter " + name : "The query") + " " + why,
                            List.of(new FieldError(null, null, named ? name : "query", why)));
                }
            }
        }
        try {
            new URI(uri);
            return null;
        } catch (URISyntaxException e) {
            return Refusal.invalid("The request target is not a URI (RFC 3986): " + e.getReason()
                    + (e.getIndex() >= 0 ? " at index " + e.getIndex() : ""), null);
        }
    }

    /**
     * What is wrong with the escapes in {@code text} ("has …"), or null: the first {@code %} not
     * followed by two hexadecimal digits, or the first run of escapes whose octets are not UTF-8.
     */
    static String escapes(String text) {
        int i = text.indexOf('%');
        while (i >= 0) {
            int start = i;
            ByteBuffer octets = ByteBuffer.allocate(text.length() / 3 + 1);
            while (i < text.length() && text.charAt(i) == '%') {
                if (i + 2 >= text.length() || Character.digit(text.charAt(i + 1), 16) < 0
                        || Character.digit(text.charAt(i + 2), 16) < 0) {
                    return "has a malformed %-escape: '" + shown(text.substring(i, Math.min(i + 3, text.length())))
                            + "' (a % must be followed by two hexadecimal digits; a % itself is written %25)";
                }
                octets.put((byte) Integer.parseInt(text.substring(i + 1, i + 3), 16));
                i += 3;
            }
            try {
                StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(octets.flip());
            } catch (CharacterCodingException e) {
                return "has %-escapes that are not UTF-8: '" + shown(text.substring(start, i))
                        + "' (escape each character as the %-escapes of its UTF-8 bytes)";
            }
            i = text.indexOf('%', i);
        }
        return null;
    }

    private static String shown(String escapes) {
        return escapes.length() > SHOWN ? escapes.substring(0, SHOWN) + "…" : escapes;
    }
}
