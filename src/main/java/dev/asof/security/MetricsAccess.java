package dev.asof.security;

import dev.asof.config.AsofConfig;
import io.quarkus.vertx.http.runtime.filters.Filters;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * With {@code ASOF_METRICS_PROTECTED=true}, /q/metrics answers only requests carrying a read or
 * write token. Health stays open: the platform's probes carry no token.
 */
@ApplicationScoped
public class MetricsAccess {
    private static final String PROBLEM = "{\"type\":\"about:blank\",\"title\":\"Unauthorized\",\"status\":401,"
            + "\"detail\":\"Metrics need a bearer token: Authorization: Bearer <token>\"}";

    void register(@Observes Filters filters, AsofConfig config, BearerTokens tokens) {
        if (!config.metricsProtected()) {
            return;
        }
        filters.register(rc -> {
            String path = rc.normalizedPath();
            if ((path.equals("/q/metrics") || path.startsWith("/q/metrics/"))
                    && !tokens.allowsRead(rc.request().getHeader("Authorization"))) {
                rc.response().setStatusCode(401)
                        .putHeader("Content-Type", "application/problem+json")
                        .putHeader("WWW-Authenticate", "Bearer realm=\"asof\"")
                        .end(PROBLEM);
            } else {
                rc.next();
            }
        }, 100);
    }
}
