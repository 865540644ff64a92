package dev.asof.log;

import dev.asof.config.AsofConfig;
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
    private final AsofConfig config;

    public ChangesResource(TxLog log, ChangeSignal signal, AsofConfig config) {
        this.log = log;
        this.signal = signal;
        this.config = config;
    }

    /** The page of a change feed: transactions in t order, and where to resume (always). */
    public record Changes(List<TxView> items, long next) {
    }

    @GET
    @Produces({MediaType.APPLICATION_JSON, Problem.MEDIA_TYPE})
    @Operation(summary = "Transactions after t, in order: a change feed to resume from the last t seen")
    @APIResponse(responseCode = "200", description = "Up to limit transactions, and next: the after of the next request"
            + " (the last t answered, or after itself at the tail; never null). Link rel=next when the page is full",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, examples = @ExampleObject(name = "changes", value = """
                    {"items": [{"t": 1042, "txInstant": "2026-05-30T09:12:00.123Z",
                                "events": [{"id": "5f0c6a3e-8d7e-4c1e-9f7a-3b1d2c4e5f60", "type": "price",
                                            "subject": "price:ABC-123@001780272000000"}],
                                "changes": [{"entity": {"sku": "ABC-123", "effectiveAt": "2026-06-01T00:00:00Z"},
                                             "attribute": "amount", "value": 19.99, "op": "assert"}]}],
                     "next": 1042}""")))
    @APIResponse(responseCode = "400", description = "after or limit is empty or not a valid number",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Response changes(
            @Parameter(description = "Transactions after this t (absent: from the beginning)") @QueryParam("after") String after,
            @Parameter(description = "Page size, 1 to 1000; default 100") @QueryParam("limit") String limit,
            @Context UriInfo uri) {
        int size = Page.limit(limit);
        // Read raw: an empty "after=" must be a 400, not taken for an absent one.
        String given = uri.getQueryParameters().getFirst("after");
        long from = uri.getQueryParameters().containsKey("after") ? parseT("after", given == null ? "" : given) : 0;
        List<TxView> items = log.after(from, size);
        long next = items.isEmpty() ? from : items.get(items.size() - 1).t();
        Response.ResponseBuilder response = Response.ok(new Changes(items, next), MediaType.APPLICATION_JSON_TYPE);
        if (items.size() == size) {
            response.header("Link", "<" + uri.getRequestUriBuilder().replaceQueryParam("after", next).build()
                    + ">; rel=\"next\"");
        }
        return response.build();
    }

    @GET
    @Path("/stream")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @Operation(summary = "Live transactions as server-sent events (event tx, id t); resume with Last-Event-ID",
            description = "The first message carries only the stream's start position as its id, so that a client that"
                    + " reconnects before any transaction resumes from there; a comment line is sent while idle"
                    + " (asof.changes.heartbeat, 15 s) so that proxies keep the connection open. When the service shuts"
                    + " down, the stream ends within a second or two with an event named reconnect (no id): connect"
                    + " again, with Last-Event-ID, to another instance or to this one once it is back.")
    @APIResponse(responseCode = "200", description = "An endless text/event-stream; each tx event's data is a transaction as in /tx/{t}")
    @APIResponse(responseCode = "400", description = "Last-Event-ID or after is empty or not a t",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Multi<OutboundSseEvent> stream(
            @Parameter(description = "Resume after this t") @HeaderParam("Last-Event-ID") String lastEventId,
            @Parameter(description = "Start after this t when there is no Last-Event-ID; default: only new transactions")
            @QueryParam("after") String after,
            @Context Sse sse, @Context jakarta.ws.rs.core.HttpHeaders headers, @Context UriInfo uri) {
        // Read raw: an empty Last-Event-ID or "after=" must be a 400, not taken for an absent one.
        List<String> lastIds = headers.getRequestHeader("Last-Event-ID");
        String given = uri.getQueryParameters().getFirst("after");
        long start = lastIds != null && !lastIds.isEmpty() ? parseT("Last-Event-ID", lastIds.get(0))
                : uri.getQueryParameters().containsKey("after") ? parseT("after", given == null ? "" : given)
                : log.basisT();
        AtomicLong position = new AtomicLong(start);
        AtomicLong lastSent = new AtomicLong(System.nanoTime());
        long heartbeat = config.changes().heartbeat().toNanos();
        OutboundSseEvent opening = sse.newEventBuilder().id(Long.toString(start)).comment("asof change stream from t=" + start)
                .build();
        // Each wake-up (a transaction report, or a tick in case one was dropped) reads the Log from
        // where this subscriber stands: nothing is skipped or sent twice. The ticks also end the
        // stream within a second of the shutdown's start: an open stream would hold the HTTP server's
        // graceful shutdown until its timeout, past the platform's SIGKILL.
        Multi<OutboundSseEvent> transactions = Multi.createBy().merging().streams(
                        Multi.createFrom().item(0L),
                        signal.signals(),
                        Multi.createFrom().ticks().every(Duration.ofSeconds(1)))
                .onOverflow().drop()
                .select().first(wake -> !signal.closing())
                .emitOn(Infrastructure.getDefaultWorkerPool())
                .concatMap(wake -> {
                    List<TxView> news = log.after(position.get(), Page.MAX_LIMIT);
                    if (news.isEmpty() && System.nanoTime() - lastSent.get() >= heartbeat) {
                        lastSent.set(System.nanoTime());
                        return Multi.createFrom().item(sse.newEventBuilder().comment("heartbeat").build());
                    }
                    return Multi.createFrom().iterable(news)
                            .filter(tx -> tx.t() > position.get())
                            .invoke(tx -> {
                                position.set(tx.t());
                                lastSent.set(System.nanoTime());
                            })
                            .map(tx -> sse.newEventBuilder().id(Long.toString(tx.t())).name("tx")
                                    .mediaType(MediaType.APPLICATION_JSON_TYPE).data(TxView.class, tx).build());
                });
        OutboundSseEvent farewell = sse.newEventBuilder().name("reconnect").reconnectDelay(1000)
                .data("asof is shutting down: connect again with Last-Event-ID to resume where this stream stopped")
                .build();
        return Multi.createBy().concatenating().streams(Multi.createFrom().item(opening), transactions,
                Multi.createFrom().item(farewell));
    }

    /** A t parameter: a whole number of zero or more. Present but empty or malformed is a 400, never read as 0. */
    private static long parseT(String name, String value) {
        try {
            long t = Long.parseLong(value.trim());
            if (t >= 0) {
                return t;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw ProblemException.badRequest("Parameter " + name + " must be a Datomic t (a whole number, such as 1042)",
                List.of(new Problem.FieldError(null, null, name, "must be a whole number of zero or more")));
    }
}
