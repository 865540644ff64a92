package dev.asof.log;

import dev.asof.http.Problem;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
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
    @Operation(summary = "What one transaction recorded: instant, events, sources, changes")
    @APIResponse(responseCode = "200", description = "The transaction, in domain terms",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = TxView.class),
                    examples = @ExampleObject(name = "tx", value = """
                            {"t": 1042, "txInstant": "2026-05-30T09:12:00.123Z",
                             "events": [{"id": "5f0c6a3e-8d7e-4c1e-9f7a-3b1d2c4e5f60", "type": "price",
                                         "subject": "price:ABC-123@001780272000000", "source": "pricing-service"}],
                             "sources": ["pricing-service"],
                             "changes": [{"entity": {"sku": "ABC-123", "effectiveAt": "2026-06-01T00:00:00Z"},
                                          "attribute": "amount", "value": 19.99, "op": "assert"}]}""")))
    @APIResponse(responseCode = "400", description = "t is not a whole number",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "404", description = "No transaction at this t",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public TxView transaction(@PathParam("t") String t) {
        long value;
        try {
            value = Long.parseLong(t);
        } catch (NumberFormatException e) {
            throw dev.asof.http.ProblemException.badRequest("t must be a whole number, such as 1042", null);
        }
        return log.transaction(value);
    }
}
