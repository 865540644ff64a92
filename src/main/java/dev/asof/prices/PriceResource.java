package dev.asof.prices;

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

/**
 * Prices in system time and valid time. Point reads run where {@link ReadThreads} decides; pages,
 * which may take milliseconds, on worker threads.
 */
@Path("/prices")
@Tag(name = "Prices")
@Produces({MediaType.APPLICATION_JSON, Problem.MEDIA_TYPE})
public class PriceResource {
    private static final String AS_OF = "System time: a Datomic t (1042) or an RFC 3339 instant; default now";
    private static final String VALID_AT = "Valid time: an RFC 3339 instant; default the instant of asOf, or now";

    private final PriceHistory prices;
    private final Caching caching;
    private final ReadThreads threads;

    public PriceResource(PriceHistory prices, Caching caching, ReadThreads threads) {
        this.prices = prices;
        this.caching = caching;
        this.threads = threads;
    }

    @GET
    @Path("/{sku}")
    @Operation(summary = "The price of a SKU in force at validAt, as known at asOf")
    @APIResponse(responseCode = "200", description = "The version in force and the transaction that recorded it",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = PriceView.class),
                    examples = @ExampleObject(name = "price", value = """
                            {"sku": "ABC-123", "amount": 19.99, "currency": "EUR",
                             "effectiveAt": "2026-06-01T00:00:00Z", "t": 1042,
                             "txInstant": "2026-05-30T09:12:00.123Z", "basisT": 1090,
                             "asOf": "2026-06-02T00:00:00Z", "validAt": "2026-06-02T00:00:00Z"}""")))
    @APIResponse(responseCode = "304", description = Caching.NOT_MODIFIED)
    @APIResponse(responseCode = "412", description = Caching.PRECONDITION_FAILED,
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "400", description = "Unparseable time, or asOf beyond the database basis",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "404", description = "No price for this SKU is in force there",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Uni<Response> price(@PathParam("sku") String sku,
            @Parameter(description = AS_OF) @QueryParam("asOf") String asOf,
            @Parameter(description = VALID_AT) @QueryParam("validAt") String validAt,
            @Context HttpHeaders headers) {
        Text.requireText("sku", sku);
        return threads.run(() -> caching.respond(headers,
                prices.at(sku, AsOf.parse("asOf", asOf), AsOf.instant("validAt", validAt))));
    }

    @GET
    @Operation(summary = "Every SKU's price at a point, in SKU order, paginated")
    @APIResponse(responseCode = "200", description = "A page of prices; next (and Link rel=next) when there are more")
    @APIResponse(responseCode = "304", description = Caching.NOT_MODIFIED)
    @APIResponse(responseCode = "412", description = Caching.PRECONDITION_FAILED,
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "400", description = "Bad time, limit or cursor",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Response prices(
            @Parameter(description = AS_OF) @QueryParam("asOf") String asOf,
            @Parameter(description = VALID_AT) @QueryParam("validAt") String validAt,
            @Parameter(description = "Only SKUs that start with this (case-sensitive); default all") @QueryParam("prefix") String prefix,
            @Parameter(description = "Page size, 1 to 1000; default 100") @QueryParam("limit") String limit,
            @Parameter(description = "Opaque cursor from a previous page") @QueryParam("cursor") String cursor,
            @Context HttpHeaders headers, @Context UriInfo uri) {
        return caching.respond(headers, prices.all(AsOf.parse("asOf", asOf), AsOf.instant("validAt", validAt),
                prefix == null ? "" : Text.requireText("prefix", prefix), Page.limit(limit), cursor), uri);
    }

    @GET
    @Path("/{sku}/history")
    @Operation(summary = "Every recorded fact about a SKU's prices: assertions and retractions by t")
    @APIResponse(responseCode = "200", description = "A page of changes; next (and Link rel=next) when there are more",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, examples = @ExampleObject(name = "history", value = """
                    {"items": [{"t": 1042, "txInstant": "2026-05-30T09:12:00.123Z", "effectiveAt": "2026-06-01T00:00:00Z",
                                "amount": 19.99, "currency": "EUR", "op": "assert",
                                "eventId": "5f0c6a3e-8d7e-4c1e-9f7a-3b1d2c4e5f60"}],
                     "next": "MR9wcmljZS1oaXN0b3J5HzAwMDAwMDA"}""")))
    @APIResponse(responseCode = "304", description = Caching.NOT_MODIFIED)
    @APIResponse(responseCode = "412", description = Caching.PRECONDITION_FAILED,
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "400", description = "Bad from, to, order, limit or cursor",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Response history(@PathParam("sku") String sku,
            @Parameter(description = "From this t or instant, inclusive") @QueryParam("from") String from,
            @Parameter(description = "Up to this t or instant, exclusive") @QueryParam("to") String to,
            @Parameter(description = "asc (default) or desc by t") @QueryParam("order") String order,
            @Parameter(description = "Page size, 1 to 1000; default 100") @QueryParam("limit") String limit,
            @Parameter(description = "Opaque cursor from a previous page") @QueryParam("cursor") String cursor,
            @Context HttpHeaders headers, @Context UriInfo uri) {
        return caching.respond(headers,
                prices.history(Text.requireText("sku", sku), SystemTimeRange.parse(from, to, order), Page.limit(limit),
                        cursor), uri);
    }
}
