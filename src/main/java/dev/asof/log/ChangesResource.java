package dev.asof.log;

import dev.asof.http.Page;
import dev.asof.http.Problem;
import dev.asof.http.ProblemException;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** The change feed: transactions after a t, as pages or as a live server-sent event stream. */
@Path("/changes")
@Tag(name = "Log")
public class ChangesResource {
    private final TxLog log;
    private final ChangeSignal signal;

    public ChangesResource(TxLog log, ChangeSignal signal) {
        this.log = log;
        this.signal = signal;
    }

    /** The page of a change feed: transactions in t order, and where to resume. */
    public record Changes(List<TxView> items, Long next) {
    }

    @GET
    @Produces({MediaType.APPLICATION_JSON, Problem.MEDIA_TYPE})
    @Operation(summary = "Transactions after t, in order: a change feed to resume from the last t seen")
    @APIResponse(responseCode = "200", description = "Up to limit transactions; next (and Link rel=next) is the after of the next page",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, examples = @ExampleObject(name = "changes", value = """
                    {"items": [{"t": 1042, "txInstant": "2026-05-30T09:12:00.123Z",
                                "events": [{"id": "5f0c6a3e-8d7e-4c1e-9f7a-3b1d2c4e5f60", "type": "price",
                                            "subject": "price:ABC-123@001780272000000"}],
                                "changes": [{"entity": {"sku": "ABC-123", "effectiveAt": "2026-06-01T00:00:00Z"},
                                             "attribute": "amount", "value": 19.99, "op": "assert"}]}],
                     "next": 1042}""")))
    @APIResponse(responseCode = "400", description = "after or limit is not a valid number",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Response changes(
            @Parameter(description = "Transactions after this t (default 0: from the beginning)") @QueryParam("after") String after,
            @Parameter(description = "Page size, 1 to 1000; default 100") @QueryParam("limit") String limit,
            @Context UriInfo uri) {
        int size = Page.limit(limit);
        List<TxView> items = log.after(parseT("after", after), size);
        Long next = items.size() == size ? items.get(items.size() - 1).t() : null;
        Response.ResponseBuilder response = Response.ok(new Changes(items, next));
        if (next != null) {
            response.header("Link", "<" + uri.getRequestUriBuilder().replaceQueryParam("after", next).build()
                    + ">; rel=\"next\"");
        }
        return response.build();
    }

    @GET
    @Path("/stream")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @Operation(summary = "Live transactions as server-sent events (event tx, id t); resume with Last-Event-ID")
    @APIResponse(responseCode = "200", description = "An endless text/event-stream; each event's data is a transaction as in /tx/{t}")
    @APIResponse(responseCode = "400", description = "Last-Event-ID or after is not a t",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Multi<OutboundSseEvent> stream(
            @Parameter(description = "Resume after this t") @HeaderParam("Last-Event-ID") String lastEventId,
            @Parameter(description = "Start after this t when there is no Last-Event-ID; default: only new transactions")
            @QueryParam("after") String after,
            @Context Sse sse) {
        long start = lastEventId != null ? parseT("Last-Event-ID", lastEventId)
                : after != null ? parseT("after", after) : log.basisT();
        AtomicLong position = new AtomicLong(start);
        // Each wake-up (a transaction report, or a heartbeat in case one was dropped) reads the Log
        // from where this subscriber stands: nothing is skipped or sent twice.
        return Multi.createBy().merging().streams(
                        Multi.createFrom().item(0L),
                        signal.signals(),
                        Multi.createFrom().ticks().every(Duration.ofSeconds(1)))
                .onOverflow().drop()
                .emitOn(Infrastructure.getDefaultWorkerPool())
                .concatMap(wake -> Multi.createFrom().iterable(log.after(position.get(), Page.MAX_LIMIT)))
                .filter(tx -> tx.t() > position.get())
                .invoke(tx -> position.set(tx.t()))
                .map(tx -> sse.newEventBuilder().id(Long.toString(tx.t())).name("tx")
                        .mediaType(MediaType.APPLICATION_JSON_TYPE).data(TxView.class, tx).build());
    }

    private static long parseT(String name, String value) {
        if (value == null || value.isEmpty()) {
            return 0;
        }
        try {
            long t = Long.parseLong(value.trim());
            if (t >= 0) {
                return t;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw ProblemException.badRequest("Parameter " + name + " must be a Datomic t (a whole number, such as 1042)", null);
    }
}
