package dev.asof.log;

import dev.asof.core.MediaTypes;
import dev.asof.core.Refusal;
import dev.asof.events.CustomerEvent;
import dev.asof.export.ExportFormat;
import dev.asof.export.Exports;
import dev.asof.http.Problem;
import io.vertx.ext.web.RoutingContext;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** GET /events: a range of transactions' events, streamed as POST /events takes them back ({@link EventExport}). */
@Path("/events")
@Tag(name = "Export")
public class EventsExportResource {
    private final EventExport events;
    private final Exports exports;

    public EventsExportResource(EventExport events, Exports exports) {
        this.events = events;
        this.exports = exports;
    }

    @GET
    @Produces({MediaTypes.NDJSON, MediaTypes.CSV, Problem.MEDIA_TYPE})
    @Operation(summary = "The events of the transactions (after, until], streamed as NDJSON (default) or CSV, in t order:"
            + " what POST /events takes back (ids kept; t's and instants are the importing service's own)")
    @APIResponse(responseCode = "200", description = "The events, one a line (NDJSON) or a row (CSV, with a header row);"
            + " Asof-Basis-T names until, Content-Disposition a file name with the range",
            content = {@Content(mediaType = MediaTypes.NDJSON, examples = @ExampleObject(name = "events", value = """
                    {"id":"5f0c6a3e-8d7e-4c1e-9f7a-3b1d2c4e5f60","type":"price","sku":"ABC-123","effectiveAt":"2026-06-01T00:00:00Z","amount":19.99,"currency":"EUR","source":"pricing"}
                    {"id":"0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d","type":"customer","customerId":"c-42","name":"Ada","city":null}
                    """)), @Content(mediaType = MediaTypes.CSV)})
    @APIResponse(responseCode = "400", description = "Bad after, until or format; until beyond the basis, after beyond until",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "429", description = "asof.reads.exports exports are streaming already; see Retry-After",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Response export(
            @Parameter(description = "After this t (default 0: from the first transaction)") @QueryParam("after") String after,
            @Parameter(description = "Up to this t, inclusive (default the basis)") @QueryParam("until") String until,
            @Parameter(description = "ndjson (default) or csv (as Accept: application/x-ndjson or text/csv ask too)")
            @QueryParam("format") String format,
            @Context HttpHeaders headers, @Context RoutingContext routing) {
        if ("json".equals(format)) {
            throw Refusal.invalid("Parameter format of /events must be ndjson or csv: the events stream as"
                    + " POST /events takes them, one a line or a row", null);
        }
        ExportFormat requested = ExportFormat.requested(format, headers);
        ExportFormat export = requested == null ? ExportFormat.NDJSON : requested;
        EventExport.Range range = events.range(after, until);
        return exports.stream(export, "events-after-" + range.after() + "-until-" + range.until(), range.until(),
                EventExport.COLUMNS, routing, rows -> events.forEach(range, row -> {
                    if (export == ExportFormat.NDJSON) {
                        row.remove(CustomerEvent.CLEAR); // JSON says it with null
                    }
                    rows.write(row);
                }));
    }
}
