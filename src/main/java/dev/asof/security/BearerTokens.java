package dev.asof.security;

import dev.asof.config.AsofConfig;
import dev.asof.core.Refusal;
import dev.asof.http.Problem;
import dev.asof.http.ProblemMapper;
import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Who may write and who may read. Writes need a bearer token from {@code ASOF_WRITE_TOKENS};
 * reads are open unless {@code ASOF_READ_TOKENS} is set. Health and metrics (under /q) are not
 * API resources and stay reachable for the platform. Tokens are compared in constant time
 * (digests, every configured token checked) and never logged or echoed.
 *
 * <p>The packaged service started with no write token refuses writes and says why; in dev and
 * test mode, with no token configured, writes are open so that the two README commands just work.
 */
@ApplicationScoped
public class BearerTokens {
    private static final Logger LOG = Logger.getLogger(BearerTokens.class);
    private static final String NO_WRITE_TOKENS = "This service has no write tokens configured, so it takes no events: "
            + "set ASOF_WRITE_TOKENS (comma-separated bearer tokens)";

    private final List<byte[]> writeDigests;
    private final List<byte[]> readDigests;
    private final boolean readsOpen;
    private final boolean writesOpen;
    /** Erase tokens by digest: the name each is given. */
    private final List<Map.Entry<byte[], String>> erasers;

    /** The paths erase tokens (and only they) open: an erasure, and the audit trail of erasures. */
    private static final java.util.regex.Pattern ERASURE_PATHS = java.util.regex.Pattern.compile(
            "/customers/[^/]+/erasure/?|/erasures/?");

    public BearerTokens(AsofConfig config) {
        this.erasers = erasers(config.eraseTokens());
        this.writeDigests = digests(config.writeTokens());
        this.readDigests = digests(config.readTokens());
        for (Map.Entry<byte[], String> eraser : erasers) {
            if (matches(writeDigests, eraser.getKey()) | matches(readDigests, eraser.getKey())) {
                throw new IllegalStateException("ASOF_ERASE_TOKENS: the token named " + eraser.getValue() + " is also a"
                        + " write or read token; an erase token must be set apart");
            }
        }
        this.readsOpen = readDigests.isEmpty();
        this.writesOpen = writeDigests.isEmpty() && LaunchMode.current() != LaunchMode.NORMAL;
    }

    void announce(@Observes StartupEvent event) {
        if (writeDigests.isEmpty()) {
            if (writesOpen) {
                LOG.warnf("No write tokens configured: writes are open in %s mode", LaunchMode.current().getDefaultProfile());
            } else {
                LOG.warn(NO_WRITE_TOKENS);
            }
        }
    }

    @ServerRequestFilter
    public Optional<Response> authorize(ContainerRequestContext request) {
        if (ERASURE_PATHS.matcher(request.getUriInfo().getPath()).matches()) {
            return authorizeErasure(request.getHeaderString(HttpHeaders.AUTHORIZATION));
        }
        boolean write = !HttpMethod.GET.equals(request.getMethod()) && !HttpMethod.HEAD.equals(request.getMethod())
                && !HttpMethod.OPTIONS.equals(request.getMethod());
        if (write ? writesOpen : readsOpen) {
            return Optional.empty();
        }
        String given = bearer(request.getHeaderString(HttpHeaders.AUTHORIZATION));
        if (write && writeDigests.isEmpty()) {
            return Optional.of(unauthorized(NO_WRITE_TOKENS, false));
        }
        if (given == null) {
            return Optional.of(unauthorized(write ? "Writes need a bearer token: Authorization: Bearer <token>"
                    : "Reads need a bearer token: Authorization: Bearer <token>", false));
        }
        byte[] digest = digest(given);
        boolean allowed = matches(writeDigests, digest) | (!write && matches(readDigests, digest));
        return allowed ? Optional.empty() : Optional.of(unauthorized("The bearer token is not valid here", true));
    }

    /**
     * Erasures and their audit trail take an erase token only: none configured, 403 (erasure is
     * off); no token, 401; a write or read token, 403 (valid, but not for this).
     */
    private Optional<Response> authorizeErasure(String authorization) {
        if (erasers.isEmpty()) {
            return Optional.of(forbidden("Erasure is off on this service: set ASOF_ERASE_TOKENS (name:token pairs)"));
        }
        String given = bearer(authorization);
        if (given == null) {
            return Optional.of(unauthorized("Erasure needs an erase token: Authorization: Bearer <token>", false));
        }
        if (eraser(authorization) != null) {
            return Optional.empty();
        }
        byte[] digest = digest(given);
        if (matches(writeDigests, digest) | matches(readDigests, digest)) {
            return Optional.of(forbidden("Erasure needs an erase token (ASOF_ERASE_TOKENS); this token may read or write only"));
        }
        return Optional.of(unauthorized("The bearer token is not valid here", true));
    }

    /** The name of the erase token an Authorization header carries (as ASOF_ERASE_TOKENS gives it), or null. */
    public String eraser(String authorization) {
        String given = bearer(authorization);
        if (given == null) {
            return null;
        }
        byte[] digest = digest(given);
        String name = null;
        for (Map.Entry<byte[], String> eraser : erasers) {
            if (MessageDigest.isEqual(eraser.getKey(), digest)) {
                name = eraser.getValue();
            }
        }
        return name;
    }

    /**
     * The erase token's name, checked again where an erasure is served (the request filter decides
     * by path; this does not depend on how a path is spelled).
     *
     * @throws Refusal forbidden when the header carries no erase token
     */
    public String requireEraser(String authorization) {
        String name = eraser(authorization);
        if (name == null) {
            throw new Refusal(Refusal.Reason.FORBIDDEN, "Forbidden", "Erasure needs an erase token (ASOF_ERASE_TOKENS)");
        }
        return name;
    }

    private static Response forbidden(String detail) {
        return ProblemMapper.render(Problem.of(403, "Forbidden", detail), Map.of());
    }

    /**
     * {@code name:token} pairs; a malformed one stops the start-up, naming its position (never the token).
     */
    static List<Map.Entry<byte[], String>> erasers(Optional<List<String>> pairs) {
        List<Map.Entry<byte[], String>> erasers = new java.util.ArrayList<>();
        List<String> given = pairs.orElse(List.of());
        for (int i = 0; i < given.size(); i++) {
            String pair = given.get(i).trim();
            if (pair.isEmpty()) {
                continue;
            }
            int colon = pair.indexOf(':');
            String name = colon < 0 ? "" : pair.substring(0, colon);
            String token = colon < 0 ? "" : pair.substring(colon + 1).trim();
            if (!name.matches("[A-Za-z0-9._-]{1,64}") || token.isEmpty()) {
                throw new IllegalStateException("ASOF_ERASE_TOKENS entry " + (i + 1) + " is not name:token (a name of 1-64"
                        + " characters of A-Za-z0-9._-, a colon, a token)");
            }
            erasers.add(Map.entry(digest(token), name));
        }
        return List.copyOf(erasers);
    }

    /** Whether an Authorization header carries a token that may read (a read or a write token). */
    public boolean allowsRead(String authorization) {
        String given = bearer(authorization);
        if (given == null) {
            return false;
        }
        byte[] digest = digest(given);
        return matches(writeDigests, digest) | matches(readDigests, digest);
    }

    private static Response unauthorized(String detail, boolean tokenGiven) {
        String challenge = "Bearer realm=\"asof\"" + (tokenGiven ? ", error=\"invalid_token\"" : "");
        return ProblemMapper.render(Problem.of(401, "Unauthorized", detail),
                Map.of(HttpHeaders.WWW_AUTHENTICATE, challenge));
    }

    private static String bearer(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        String token = authorization.substring(7).trim();
        return token.isEmpty() ? null : token;
    }

    /** Checks every token, so the time taken does not tell which one (or how much of one) matched. */
    private static boolean matches(List<byte[]> digests, byte[] given) {
        boolean found = false;
        for (byte[] expected : digests) {
            found |= MessageDigest.isEqual(expected, given);
        }
        return found;
    }

    private static List<byte[]> digests(Optional<List<String>> tokens) {
        return tokens.orElse(List.of()).stream().map(String::trim).filter(t -> !t.isEmpty()).map(BearerTokens::digest)
                .toList();
    }

    private static byte[] digest(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
