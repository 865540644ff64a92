package dev.asof.customers;

import dev.asof.core.AsOf;
import dev.asof.core.Text;
import dev.asof.http.Caching;
import dev.asof.core.Page;
import dev.asof.http.Problem;
import dev.asof.core.SystemTimeRange;
import dev.asof.datomic.ReadThreads;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

@Path("/customers")
@Tag(name = "Customers")
@Produces({MediaType.APPLICATION_JSON, Problem.MEDIA_TYPE})
public class CustomerResource {
    private final CustomerHistory customers;
    private final Caching caching;
    private final ReadThreads threads;

    public CustomerResource(CustomerHistory customers, Caching caching, ReadThreads threads) {
        this.customers = customers;
        this.caching = caching;
        this.threads = threads;
    }

    @GET
    @Path("/{id}")
    @Operation(summary = "A customer as known at asOf (default now)")
    @APIResponse(responseCode = "200", description = "The customer's attributes as of then",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = CustomerView.class),
                    examples = @ExampleObject(name = "customer", value = """
                            {"customerId": "c-42", "name": "Ada Lovelace", "email": "ada@example.com",
                             "tier": "gold", "country": "GB", "t": 1050,
                             "txInstant": "2026-05-30T09:15:00.001Z", "basisT": 1090, "asOf": "2026-06-01T00:00:00Z"}""")))
    @APIResponse(responseCode = "304", description = Caching.NOT_MODIFIED)
    @APIResponse(responseCode = "412", description = Caching.PRECONDITION_FAILED,
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "400", description = "Unparseable asOf, or beyond the database basis; an id that is not text (dev.asof.core.Text)",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "404", description = "No such customer then: not yet created, or deleted",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Uni<Response> customer(@PathParam("id") String id,
            @Parameter(description = "A Datomic t or an RFC 3339 instant; default now") @QueryParam("asOf") String asOf,
            @Context HttpHeaders headers) {
        Text.requireText("id", id);
        return threads.run(() -> caching.respond(headers, customers.at(id, AsOf.parse("asOf", asOf))));
    }

    @GET
    @Path("/{id}/history")
    @Operation(summary = "Attribute-level changes of a customer, by t")
    @APIResponse(responseCode = "200", description = "A page of changes; next (and Link rel=next) when there are more",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, examples = @ExampleObject(name = "history", value = """
                    {"items": [{"t": 1050, "txInstant": "2026-05-30T09:15:00.001Z", "attribute": "tier",
                                "value": "gold", "op": "assert", "eventId": "5f0c6a3e-8d7e-4c1e-9f7a-3b1d2c4e5f60"}]}""")))
    @APIResponse(responseCode = "304", description = Caching.NOT_MODIFIED)
    @APIResponse(responseCode = "412", description = Caching.PRECONDITION_FAILED,
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "400", description = "Bad from, to, order, limit or cursor; an id that is not text",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Response history(@PathParam("id") String id,
            @Parameter(description = "From this t or instant, inclusive") @QueryParam("from") String from,
            @Parameter(description = "Up to this t or instant, exclusive") @QueryParam("to") String to,
            @Parameter(description = "asc (default) or desc by t") @QueryParam("order") String order,
            @Parameter(description = "Page size, 1 to 1000; default 100") @QueryParam("limit") String limit,
            @Parameter(description = "Opaque cursor from a previous page") @QueryParam("cursor") String cursor,
            @Context HttpHeaders headers, @Context UriInfo uri) {
        return caching.respond(headers,
                customers.history(Text.requireText("id", id), SystemTimeRange.parse(from, to, order), Page.limit(limit),
                        cursor), uri);
    }
}
