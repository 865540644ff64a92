package dev.asof.http;

import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.core.MediaType;
import org.jboss.resteasy.reactive.server.ServerResponseFilter;

/**
 * problem+json is for problems only. Resources list it beside application/json so that errors
 * can be negotiated; a client whose Accept names problem+json first must still get a success as
 * application/json, never a 200 labelled as a problem.
 */
public class SuccessMediaType {
    private static final MediaType PROBLEM = MediaType.valueOf(Problem.MEDIA_TYPE);

    @ServerResponseFilter
    public void relabel(ContainerResponseContext response) {
        MediaType type = response.getMediaType();
        if (response.getStatus() < 400 && type != null && PROBLEM.isCompatible(type)) {
            response.getHeaders().putSingle("Content-Type", MediaType.APPLICATION_JSON);
        }
    }
}
