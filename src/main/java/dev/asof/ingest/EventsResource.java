package dev.asof.ingest;

import dev.asof.core.MediaTypes;
import dev.asof.core.Refusal;
import dev.asof.http.BodyBudget;
import dev.asof.http.Problem;
import dev.asof.events.CustomerEvent;
import dev.asof.events.PriceEvent;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import io.vertx.ext.web.RoutingContext;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** POST /events: the only way into the database. */
@Path("/events")
@Tag(name = "Ingest")
public class EventsResource {
    static final String NDJSON = MediaTypes.NDJSON;
    static final String CSV = MediaTypes.CSV;
    private static final String RESPOND_ASYNC = "respond-async";

    private final EventReader reader;
    private final IngestService ingest;
    private final java.time.Clock clock;
    private final BodyBudget budget;
    private final WriteAdmission admission;

    public EventsResource(EventReader reader, IngestService ingest, java.time.Clock clock, BodyBudget budget,
            WriteAdmission admission) {
        this.reader = reader;
        this.ingest = ingest;
        this.clock = clock;
        this.budget = budget;
        this.admission = admission;
    }

    @POST
    @Consumes({MediaType.APPLICATION_JSON, NDJSON, CSV})
    @Produces({MediaType.APPLICATION_JSON, Problem.MEDIA_TYPE})
    @Operation(summary = "Record price and customer events",
            description = "One event, a JSON array of up to 1000 events, NDJSON (one event a line, up to 10,000), or CSV"
                    + " (a header row naming event fields, then one event a row, up to 10,000; errors name the row and"
                    + " column). "
                    + "Validated all or nothing, queued, and committed to Datomic in batches; the response comes "
                    + "when the events' transaction has committed, or at once with Prefer: respond-async.")
    @RequestBody(content = {
            @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(oneOf = {PriceEvent.class, CustomerEvent.class}),
                    examples = {
                            @ExampleObject(name = "price", value = """
                                    {"id": "5f0c6a3e-8d7e-4c1e-9f7a-3b1d2c4e5f60", "type": "price", "sku": "ABC-123",
                                     "amount": 19.99, "currency": "EUR", "effectiveAt": "2026-06-01T00:00:00Z",
                                     "source": "pricing-service"}"""),
                            @ExampleObject(name = "period", summary = "A promotion: 9.99 from 27 November until 2 December", value = """
                                    {"type": "price", "sku": "ABC-123", "amount": 9.99, "currency": "EUR",
                                     "effectiveAt": "2026-11-27T00:00:00Z", "effectiveUntil": "2026-12-02T00:00:00Z"}"""),
                            @ExampleObject(name = "end", summary = "A delisting: no price from 1 January on", value = """
                                    {"type": "price", "sku": "ABC-123", "effectiveAt": "2027-01-01T00:00:00Z", "ended": true}"""),
                            @ExampleObject(name = "withdrawal", summary = "Take back the version sent for a mistyped valid time", value = """
                                    {"type": "price", "sku": "ABC-123", "effectiveAt": "2062-03-01T00:00:00Z", "withdrawn": true}"""),
                            @ExampleObject(name = "customer", value = """
                                    {"type": "customer", "customerId": "c-42", "name": "Ada Lovelace",
                                     "email": "ada@example.com", "tier": "gold", "country": "GB", "city": null}"""),
                            @ExampleObject(name = "batch", value = """
                                    [{"type": "price", "sku": "ABC-123", "amount": 19.99, "currency": "EUR"},
                                     {"type": "price", "sku": "XYZ-9", "amount": 5, "currency": "USD"}]""")}),
            @Content(mediaType = NDJSON, schema = @Schema(type = SchemaType.STRING), examples = @ExampleObject(
                    name = "bulk", value = """
                            {"type": "price", "sku": "ABC-123", "amount": 19.99, "currency": "EUR"}
                            {"type": "price", "sku": "XYZ-9", "amount": 5, "currency": "USD"}
                            """)),
            @Content(mediaType = CSV, schema = @Schema(type = SchemaType.STRING), examples = @ExampleObject(
                    name = "repricing", summary = "Without a type column every row is a price event", value = """
                            id,sku,amount,currency,effectiveAt
                            5f0c6a3e-8d7e-4c1e-9f7a-3b1d2c4e5f60,ABC-123,19.99,EUR,2026-12-07T00:00:00Z
                            0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d,XYZ-9,5,USD,2026-12-07T00:00:00Z
                            """))})
    @APIResponse(responseCode = "201", description = "Committed: the transaction's t and instant, each event's outcome",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = IngestResult.class),
                    examples = @ExampleObject(name = "created", value = """
                            {"t": 1042, "txInstant": "2026-11-25T10:00:00.123Z",
                             "events": [{"id": "5f0c6a3e-8d7e-4c1e-9f7a-3b1d2c4e5f60", "status": "created", "t": 1042}]}""")))
    @APIResponse(responseCode = "200", description = "Every event was already recorded with the same content: original t")
    @APIResponse(responseCode = "202", description = "Prefer: respond-async: queued, not yet committed")
    @APIResponse(responseCode = "400", description = "Invalid body (one error per bad field with the event's index), or the same"
            + " event id twice in one request; nothing was queued",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "413", description = "Too many events in one request")
    @APIResponse(responseCode = "415", description = "Content-Type is none of application/json, application/x-ndjson and text/csv")
    @APIResponse(responseCode = "422", description = "An event id was already recorded with different content, a"
            + " withdrawal names a version that does not exist (title \"Nothing to withdraw\"), or Datomic"
            + " rejected the events. The problem's events member lists each event's outcome; title \"Partly recorded\""
            + " when events of earlier transactions of the request are recorded (retry with the same ids)")
    @APIResponse(responseCode = "408", description = "The body did not arrive whole within asof.limits.body-read-timeout;"
            + " the connection is closed")
    @APIResponse(responseCode = "429", description = "The queue is full, asof.limits.writes-in-flight writes are being read or"
            + " parsed already, or other requests' bodies fill the body budget (asof.limits.body-bytes-in-flight); the body"
            + " was not parsed (unless the queue filled while it was), and a body over 64 KiB not even read (its connection"
            + " is closed); retry after Retry-After seconds")
    @APIResponse(responseCode = "503", description = "Starting, shutting down, or storage unavailable (nothing recorded), or the"
            + " journal did not confirm in time (events with status unknown: retry with the same ids); see Retry-After")
    public CompletionStage<Response> post(
            @HeaderParam("Content-Type") String contentType,
            @Parameter(description = "respond-async: answer 202 once queued") @HeaderParam("Prefer") String prefer,
            @Context RoutingContext routing,
            byte[] body) {
        // Admitted before its body was read: its bytes (BodyBudget) come back once parsed, its place among
        // the writes in flight (WriteAdmission) once its events are queued or refused.
        BodyFormat format = BodyFormat.of(contentType);
        boolean async = prefer != null && prefer.toLowerCase().contains(RESPOND_ASYNC);
        Runnable settled = admission.handOff(routing);
        try {
            BodyFormat.requireUtf8(contentType);
        } catch (Refusal otherCharset) {
            budget.release(routing);
            settled.run();
            throw otherCharset;
        }
        return ingest.parseAndSubmit(body, format, clock.instant(), () -> budget.release(routing))
                .whenComplete((queued, refused) -> settled.run()).thenCompose(queued -> {
            if (async) {
                List<IngestResult.EventOutcome> outcomes = queued.events().stream()
                        .map(r -> new IngestResult.EventOutcome(r.event().id(), IngestResult.QUEUED, null))
                        .toList();
                return java.util.concurrent.CompletableFuture.completedFuture(Response.accepted(
                        new IngestResult(null, null, outcomes)).header("Preference-Applied", RESPOND_ASYNC).build());
            }
            return queued.committed().thenApply(result -> Response.status(result.allDuplicates() ? 200 : 201)
                    .type(MediaType.APPLICATION_JSON)
                    .entity(result)
                    .build());
        });
    }
}
