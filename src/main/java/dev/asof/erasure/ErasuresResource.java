package dev.asof.erasure;

import dev.asof.core.Cursor;
import dev.asof.core.Page;
import dev.asof.datomic.DatomicStore;
import dev.asof.http.NextLink;
import dev.asof.http.Problem;
import dev.asof.security.BearerTokens;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** The audit trail of erasures (issue 24): who erased which customer (by digest), when and why. Erase tokens only. */
@Path("/erasures")
@Tag(name = "Customers")
@Produces({MediaType.APPLICATION_JSON, Problem.MEDIA_TYPE})
public class ErasuresResource {
    private final DatomicStore store;
    private final BearerTokens tokens;
    private final Erasures erasures;

    public ErasuresResource(DatomicStore store, BearerTokens tokens, Erasures erasures) {
        this.store = store;
        this.tokens = tokens;
        this.erasures = erasures;
    }

    @GET
    @Operation(summary = "Every erasure, oldest first: the audit trail (needs an erase token)",
            description = "No personal data: the customer by the SHA-256 of its id, who by the name ASOF_ERASE_TOKENS gives"
                    + " the token, and the reason given")
    @APIResponse(responseCode = "200", description = "A page of erasures; next (and Link rel=next) when there are more",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, examples = @ExampleObject(name = "erasures", value = """
                    {"items": [{"customer": "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
                                "t": 1290, "erasedAt": "2026-12-01T10:00:00.123Z", "by": "dpo",
                                "reason": "GDPR article 17 request, ticket DPO-42", "status": "complete",
                                "transactions": [1012, 1050, 1101]}]}""")))
    @APIResponse(responseCode = "401", description = "No erase token")
    @APIResponse(responseCode = "403", description = "Erasure is off (no ASOF_ERASE_TOKENS), or a read or write token",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Response list(@Parameter(description = "Page size, 1 to 1000; default 100") @QueryParam("limit") String limit,
            @Parameter(description = "Opaque cursor from a previous page") @QueryParam("cursor") String cursor,
            @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization, @Context UriInfo uri) {
        tokens.requireEraser(authorization);
        int size = Page.limit(limit);
        long after = cursor == null ? 0 : Cursor.decodeNumbers(cursor, "erasures", 1)[0];
        List<ErasureRecord> all = Erasures.all(store.db()).stream().filter(r -> r.t() > after).map(erasures::withStatus)
                .toList();
        Page<ErasureRecord> page = Page.of(all, size, r -> String.valueOf(r.t()), "erasures");
        return NextLink.add(Response.ok(page, MediaType.APPLICATION_JSON_TYPE), uri, page.next()).build();
    }
}
