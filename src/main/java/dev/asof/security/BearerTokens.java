package dev.asof.security;

import dev.asof.config.AsofConfig;
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

    public BearerTokens(AsofConfig config) {
        this.writeDigests = digests(config.writeTokens());
        this.readDigests = digests(config.readTokens());
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
