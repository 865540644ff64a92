package dev.asof.log;

import dev.asof.core.AsOf;
import dev.asof.http.NextLink;
import dev.asof.http.Problem;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import dev.asof.core.Cursor;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

@Path("/tx")
@Tag(name = "Log")
@Produces({MediaType.APPLICATION_JSON, Problem.MEDIA_TYPE})
public class TxResource {
    private final TxLog log;

    public TxResource(TxLog log) {
        this.log = log;
    }

    @GET
    @Path("/{t}")
    @Operation(summary = "What one transaction recorded: instant, events, sources, changes",
            description = "At most asof.changes.page-datoms Log datoms and asof.changes.page-bytes bytes of JSON: a"
                    + " larger transaction is answered in parts, each with a part object (from, to, of; more; next: the"
                    + " cursor of the rest) and Link rel=next.")
    @APIResponse(responseCode = "200", description = "The transaction (or a part of it), in domain terms",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = TxView.class),
                    examples = @ExampleObject(name = "tx", value = """
                            {"t": 1042, "txInstant": "2026-05-30T09:12:00.123Z",
                             "events": [{"id": "5f0c6a3e-8d7e-4c1e-9f7a-3b1d2c4e5f60", "type": "price",
                                         "subject": "price:ABC-123@001780272000000", "source": "pricing-service"}],
                             "sources": ["pricing-service"],
                             "changes": [{"entity": {"sku": "ABC-123", "effectiveAt": "2026-06-01T00:00:00Z"},
                                          "attribute": "amount", "value": 19.99, "op": "assert"}]}""")))
    @APIResponse(responseCode = "400", description = "t is not a whole number or lies beyond the basis, or the cursor is not one of this transaction's",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "404", description = "No transaction at this t",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Response transaction(@PathParam("t") String t,
            @Parameter(description = "The rest of a transaction answered in parts: a previous part's next")
            @QueryParam("cursor") String cursor,
            @Context UriInfo uri) {
        long value = AsOf.t("t", t);
        TxLog.Position position = cursor == null || cursor.isEmpty() ? null : log.resume("cursor", cursor, true);
        if (position != null && (position.index() == 0 || position.after() + 1 != value)) {
            throw Cursor.invalid();
        }
        TxView tx = log.transaction(value, position == null ? 0 : position.index());
        return NextLink.add(Response.ok(tx, MediaType.APPLICATION_JSON_TYPE), uri,
                tx.part() != null && tx.part().more() ? tx.part().next() : null).build();
    }
}
