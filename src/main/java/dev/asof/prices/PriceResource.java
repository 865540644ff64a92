package dev.asof.prices;

import dev.asof.core.MediaTypes;
import dev.asof.core.AsOf;
import dev.asof.core.Text;
import dev.asof.http.Caching;
import dev.asof.core.Page;
import dev.asof.http.Problem;
import dev.asof.core.SystemTimeRange;
import dev.asof.datomic.ReadThreads;
import io.smallrye.mutiny.Uni;
import dev.asof.core.Refusal;
import dev.asof.export.ExportFormat;
import dev.asof.export.Exports;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import io.vertx.ext.web.RoutingContext;
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
    private final PriceDiffs diffs;
    private final Caching caching;
    private final ReadThreads threads;
    private final Exports exports;

    public PriceResource(PriceHistory prices, PriceDiffs diffs, Caching caching, ReadThreads threads, Exports exports) {
        this.prices = prices;
        this.diffs = diffs;
        this.exports = exports;
        this.caching = caching;
        this.threads = threads;
    }

    @GET
    @Path("/{sku}")
    @Operation(summary = "The price of a SKU in force at validAt, as known at asOf")
    @APIResponse(responseCode = "200", description = "The version in force and the transaction that recorded it",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = PriceView.class),
                    examples = {@ExampleObject(name = "price", value = """
                            {"sku": "ABC-123", "amount": 19.99, "currency": "EUR",
                             "effectiveAt": "2026-06-01T00:00:00Z", "t": 1042,
                             "txInstant": "2026-05-30T09:12:00.123Z", "basisT": 1090,
                             "asOf": "2026-06-02T00:00:00Z", "validAt": "2026-06-02T00:00:00Z"}"""),
                            @ExampleObject(name = "period", value = """
                            {"sku": "ABC-123", "amount": 9.99, "currency": "EUR",
                             "effectiveAt": "2026-11-27T00:00:00Z", "effectiveUntil": "2026-12-02T00:00:00Z",
                             "t": 1102, "txInstant": "2026-11-20T10:00:00.000Z", "basisT": 1110,
                             "asOf": "2026-11-30T00:00:00Z", "validAt": "2026-11-30T00:00:00Z"}""")}))
    @APIResponse(responseCode = "304", description = Caching.NOT_MODIFIED)
    @APIResponse(responseCode = "412", description = Caching.PRECONDITION_FAILED,
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "400", description = "Unparseable time, or asOf beyond the database basis",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "404", description = "No price for this SKU is in force there: none recorded, or an"
            + " end (title \"Price ended\": from when, until when for a period, and the event and t that recorded it)",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class),
                    examples = @ExampleObject(name = "ended", value = """
                            {"type": "about:blank", "title": "Price ended", "status": 404,
                             "detail": "SKU ABC-123 has no price from 2027-01-01T00:00:00Z (ended by event 7d3f0c2a-1b4e-4f5a-9c8d-2e6f7a8b9c0d, t=1187): none is in force at 2027-06-01T00:00:00Z as known at t=1190"}""")))
    public Uni<Response> price(@PathParam("sku") String sku,
            @Parameter(description = AS_OF) @QueryParam("asOf") String asOf,
            @Parameter(description = VALID_AT) @QueryParam("validAt") String validAt,
            @Context HttpHeaders headers) {
        Text.requireText("sku", sku);
        return threads.run(() -> caching.respond(headers,
                prices.at(sku, AsOf.parse("asOf", asOf), AsOf.instant("validAt", validAt))));
    }

    @GET
    @Produces({MediaType.APPLICATION_JSON, Problem.MEDIA_TYPE, MediaTypes.NDJSON, MediaTypes.CSV})
    @Operation(summary = "Every SKU's price at a point, in SKU order, paginated; with since or validSince, only the"
            + " SKUs whose price differs between two points, with both answers")
    @APIResponse(responseCode = "200", description = "A page of prices; next (and Link rel=next) when there are more."
            + " A diff (since or validSince given) answers the points compared and, per SKU, its price before (at since,"
            + " validSince) and after (at asOf, validAt), null where none is in force; between two known-at points also"
            + " what its events did in between (changes, the first 10, and a history link to all)",
            content = {@Content(mediaType = MediaType.APPLICATION_JSON, examples = @ExampleObject(name = "diff", value = """
                    {"sinceT": 1040, "since": "2026-11-27T17:00:00Z", "basisT": 1090, "asOf": "2026-11-30T08:00:00Z",
                     "validSince": "2026-11-30T08:00:00Z", "validAt": "2026-11-30T08:00:00Z",
                     "items": [{"sku": "ABC-123",
                                "before": {"amount": 19.99, "currency": "EUR", "effectiveAt": "2026-06-01T00:00:00Z",
                                           "t": 1001, "txInstant": "2026-05-30T09:12:00.123Z"},
                                "after": {"amount": 17.99, "currency": "EUR", "effectiveAt": "2026-11-29T00:00:00Z",
                                          "t": 1066, "txInstant": "2026-11-28T10:00:00.000Z"},
                                "changes": [{"t": 1066, "txInstant": "2026-11-28T10:00:00.000Z",
                                             "effectiveAt": "2026-11-29T00:00:00Z", "amount": 17.99, "currency": "EUR",
                                             "op": "assert", "eventId": "5f0c6a3e-8d7e-4c1e-9f7a-3b1d2c4e5f60"}],
                                "history": "/prices/ABC-123/history?from=1041&to=1091"}]}""")),
                    @Content(mediaType = MediaTypes.CSV, examples = @ExampleObject(name = "export", value = """
                            sku,amount,currency,effectiveAt,effectiveUntil,t,txInstant
                            ABC-123,19.990,EUR,2026-06-01T00:00:00Z,,1042,2026-05-30T09:12:00.123Z
                            """)), @Content(mediaType = MediaTypes.NDJSON)})
    @APIResponse(responseCode = "304", description = Caching.NOT_MODIFIED)
    @APIResponse(responseCode = "412", description = Caching.PRECONDITION_FAILED,
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "429", description = "An export (NDJSON or CSV) while asof.reads.exports stream already;"
            + " see Retry-After", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "400", description = "Bad time, limit, cursor or format; since after asOf; since,"
            + " validSince, limit or cursor with an export",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Response prices(
            @Parameter(description = AS_OF) @QueryParam("asOf") String asOf,
            @Parameter(description = VALID_AT) @QueryParam("validAt") String validAt,
            @Parameter(description = "A diff from this point in system time (a t or an instant, at or before asOf):"
                    + " only SKUs whose price differs; default asOf when validSince is given")
            @QueryParam("since") String since,
            @Parameter(description = "A diff from this valid time (an RFC 3339 instant): only SKUs whose price differs;"
                    + " default validAt") @QueryParam("validSince") String validSince,
            @Parameter(description = "Only SKUs that start with this (case-sensitive); default all") @QueryParam("prefix") String prefix,
            @Parameter(description = "Page size, 1 to 1000; default 100") @QueryParam("limit") String limit,
            @Parameter(description = "Opaque cursor from a previous page") @QueryParam("cursor") String cursor,
            @Parameter(description = "json (default), or the whole list streamed as ndjson or csv (as Accept:"
                    + " application/x-ndjson or text/csv ask too)") @QueryParam("format") String format,
            @Context HttpHeaders headers, @Context UriInfo uri, @Context RoutingContext routing) {
        AsOf point = AsOf.parse("asOf", asOf);
        Instant valid = AsOf.instant("validAt", validAt);
        String skus = prefix == null ? "" : Text.requireText("prefix", prefix);
        AsOf from = AsOf.parse("since", since);
        Instant validFrom = AsOf.instant("validSince", validSince);
        ExportFormat export = ExportFormat.requested(format, headers);
        if (export != null) {
            if (from != null || validFrom != null || cursor != null || limit != null) {
                throw Refusal.invalid("An export is the whole price list at one point (asOf, validAt, prefix):"
                        + " since, validSince, limit and cursor are for JSON pages", null);
            }
            PriceHistory.PriceList list = prices.list(point, valid, skus);
            return exports.stream(export, "prices-t" + list.basis().t() + "-valid-" + list.validAt().toString()
                    .replace(":", ""), list.basis().t(), PRICE_COLUMNS, routing, rows -> list.forEach(price -> rows.write(row(price))));
        }
        if (from != null || validFrom != null) {
            return caching.respond(headers, diffs.between(from, point, validFrom, valid, skus, Page.limit(limit), cursor), uri);
        }
        return caching.respond(headers, prices.all(point, valid, skus, Page.limit(limit), cursor), uri);
    }

    /** The columns of a price list export, in order. */
    private static final List<String> PRICE_COLUMNS = List.of("sku", "amount", "currency", "effectiveAt",
            "effectiveUntil", "t", "txInstant");

    private static Map<String, Object> row(PriceView price) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("sku", price.sku());
        row.put("amount", price.amount());
        row.put("currency", price.currency());
        row.put("effectiveAt", price.effectiveAt().toString());
        if (price.effectiveUntil() != null) {
            row.put("effectiveUntil", price.effectiveUntil().toString());
        }
        row.put("t", price.t());
        row.put("txInstant", price.txInstant().toString());
        return row;
    }

    @GET
    @Path("/{sku}/history")
    @Operation(summary = "What each event did to a SKU's versions, by t: states asserted, replaced (retract) and withdrawn")
    @APIResponse(responseCode = "200", description = "A page of changes; next (and Link rel=next) when there are more",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, examples = @ExampleObject(name = "history", value = """
                    {"items": [{"t": 1042, "txInstant": "2026-05-30T09:12:00.123Z", "effectiveAt": "2026-06-01T00:00:00Z",
                                "amount": 19.99, "currency": "EUR", "op": "assert",
                                "eventId": "5f0c6a3e-8d7e-4c1e-9f7a-3b1d2c4e5f60"},
                               {"t": 1102, "txInstant": "2026-11-20T10:00:00.000Z", "effectiveAt": "2026-11-27T00:00:00Z",
                                "effectiveUntil": "2026-12-02T00:00:00Z", "amount": 9.99, "currency": "EUR", "op": "assert",
                                "eventId": "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"},
                               {"t": 1187, "txInstant": "2026-11-25T08:00:00.000Z", "effectiveAt": "2027-01-01T00:00:00Z",
                                "ended": true, "op": "assert", "eventId": "7d3f0c2a-1b4e-4f5a-9c8d-2e6f7a8b9c0d"},
                               {"t": 1190, "txInstant": "2026-11-25T09:30:00.000Z", "effectiveAt": "2062-03-01T00:00:00Z",
                                "amount": 17.50, "currency": "EUR", "op": "withdraw",
                                "eventId": "3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f"}],
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
