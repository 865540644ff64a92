package dev.asof.log;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.asof.config.AsofConfig;
import dev.asof.core.Page;
import dev.asof.http.Problem;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriBuilder;
import jakarta.ws.rs.core.UriInfo;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
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
    /** The most transactions one stream step reads (besides the datom and byte bound). */
    private static final int STEP_TRANSACTIONS = 100;

    public ChangesResource(TxLog log, ChangeSignal signal, AsofConfig config) {
        this.log = log;
        this.signal = signal;
        this.config = config;
    }

    /**
     * The page of a change feed: transactions in t order, and where to resume (always): {@code next}
     * is the t after which the next page starts, {@code after} the same position with the page's
     * {@code lineage} (pass it back as after, and a page from another database is refused instead of
     * read as this one's), and when the page ended inside a transaction (its last item has a
     * {@code part} with {@code more}) {@code cursor} resumes exactly there.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Changes(List<TxView> items, long next, String after, String lineage, String cursor) {
    }

    @GET
    @Produces({MediaType.APPLICATION_JSON, Problem.MEDIA_TYPE})
    @Operation(summary = "Transactions after t, in order: a change feed to resume from the last t seen",
            description = "A page holds at most limit transactions, asof.changes.page-datoms Log datoms and"
                    + " asof.changes.page-bytes bytes of JSON. A transaction larger than that comes in parts: each"
                    + " part is an item with the transaction's t and a part object (from, to, of: datom indexes;"
                    + " more; next: the cursor of the rest), and the page's cursor resumes inside it.")
    @APIResponse(responseCode = "200", description = "Up to limit transactions, and next: the after of the next request"
            + " (the last whole transaction answered, or where the read stopped; never null); cursor when the page ended"
            + " inside a transaction. Link rel=next when the page stopped at a bound",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, examples = @ExampleObject(name = "changes", value = """
                    {"items": [{"t": 1042, "txInstant": "2026-05-30T09:12:00.123Z",
                                "events": [{"id": "5f0c6a3e-8d7e-4c1e-9f7a-3b1d2c4e5f60", "type": "price",
                                            "subject": "price:ABC-123@001780272000000"}],
                                "changes": [{"entity": {"sku": "ABC-123", "effectiveAt": "2026-06-01T00:00:00Z"},
                                             "attribute": "amount", "value": 19.99, "op": "assert"}]}],
                     "next": 1042, "after": "1042@5e1b0c4d9a7f3e21", "lineage": "5e1b0c4d9a7f3e21"}""")))
    @APIResponse(responseCode = "400", description = "after, limit or cursor is empty or not valid, or names no point of"
            + " this database (read in another lineage, or past the basis)",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Response changes(
            @Parameter(description = "Transactions after this t (absent: from the beginning); a page's after"
                    + " (t@lineage) is refused when read in another database") @QueryParam("after") String after,
            @Parameter(description = "Page size in transactions, 1 to 1000; default 100") @QueryParam("limit") String limit,
            @Parameter(description = "Resume inside a transaction: the cursor of a previous page (wins over after)")
            @QueryParam("cursor") String cursor,
            @Context UriInfo uri) {
        int size = Page.limit(limit);
        // Read raw: an empty "after=" must be a 400, not taken for an absent one.
        TxLog.Position start = cursor != null && !cursor.isEmpty() ? log.resume("cursor", cursor, true)
                : uri.getQueryParameters().containsKey("after") ? log.resume("after", given(uri, "after"), false)
                : TxLog.Position.after(0);
        TxLog.Slice slice = log.read(start, size, log.bound());
        TxLog.Position next = slice.next();
        String resume = log.text(next);
        boolean inside = next.cursor() != null;
        Response.ResponseBuilder response = Response.ok(new Changes(slice.items(), next.after(),
                inside ? null : resume, log.lineage(), inside ? resume : null), MediaType.APPLICATION_JSON_TYPE);
        if (slice.full()) {
            UriBuilder link = uri.getRequestUriBuilder();
            link = inside ? link.replaceQueryParam("after").replaceQueryParam("cursor", resume)
                    : link.replaceQueryParam("cursor").replaceQueryParam("after", resume);
            response.header("Link", "<" + link.build() + ">; rel=\"next\"");
        }
        return response.build();
    }

    @GET
    @Path("/stream")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @io.smallrye.common.annotation.Blocking // where to start may ask the transactor (DatomicStore.reaching): not on an event loop
    @Operation(summary = "Live transactions as server-sent events (event tx, id t); resume with Last-Event-ID",
            description = "The first message carries only the stream's start position as its id, so that a client that"
                    + " reconnects before any transaction resumes from there; a comment line is sent while idle"
                    + " (asof.changes.heartbeat, 15 s) so that proxies keep the connection open. The Log is read in"
                    + " steps of at most asof.changes.page-datoms datoms and asof.changes.page-bytes bytes, each as"
                    + " the client takes the last; a larger transaction comes in parts (as in /changes), each part"
                    + " but the last with its cursor as id. When the service shuts down, the stream ends within a second"
                    + " or two with an event named reconnect (no id): connect again, with Last-Event-ID, to another"
                    + " instance or to this one once it is back. Each id is a position and the database's lineage"
                    + " (t@lineage): resumed with an id read in another database (a datomic:mem database that started"
                    + " again) or past the basis, the stream opens with an event named reset (data: reason, lineage,"
                    + " basisT) and then sends this database's transactions from its first.")
    @APIResponse(responseCode = "200", description = "An endless text/event-stream; each tx event's data is a transaction as in /tx/{t}")
    @APIResponse(responseCode = "400", description = "Last-Event-ID or after is empty or not a position (a t or a"
            + " part's cursor, optionally @lineage)",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Multi<OutboundSseEvent> stream(
            @Parameter(description = "Resume after this t, or inside a transaction at this part's cursor") @HeaderParam("Last-Event-ID") String lastEventId,
            @Parameter(description = "Start after this t when there is no Last-Event-ID; default: only new transactions")
            @QueryParam("after") String after,
            @Context Sse sse, @Context jakarta.ws.rs.core.HttpHeaders headers, @Context UriInfo uri) {
        // Read raw: an empty Last-Event-ID or "after=" must be a 400, not taken for an absent one.
        List<String> lastIds = headers.getRequestHeader("Last-Event-ID");
        TxLog.Position start;
        OutboundSseEvent opening;
        try {
            start = lastIds != null && !lastIds.isEmpty() ? log.resume("Last-Event-ID", lastIds.get(0), true, true)
                    : uri.getQueryParameters().containsKey("after") ? log.resume("after", given(uri, "after"), false, true)
                    : TxLog.Position.after(log.basisT());
            opening = sse.newEventBuilder().id(log.text(start)).comment("asof change stream from t=" + start.after())
                    .build();
        } catch (TxLog.Elsewhere elsewhere) {
            // The client's position names no point of this database (it started again, or is another):
            // say so, then send this database's every transaction, so that a client that does not
            // know the reset event still misses nothing of it.
            start = TxLog.Position.after(0);
            opening = sse.newEventBuilder().id(log.text(start)).name("reset").mediaType(MediaType.APPLICATION_JSON_TYPE)
                    .data(Reset.class, new Reset(elsewhere.detail(), log.lineage(), log.basisT())).build();
        }
        AtomicReference<TxLog.Position> position = new AtomicReference<>(start);
        AtomicLong lastSent = new AtomicLong(System.nanoTime());
        long heartbeat = config.changes().heartbeat().toNanos();
        // Each wake-up (a transaction report, or a tick in case one was dropped) reads the Log from
        // where this subscriber stands, one bounded step at a time, the next step only when the
        // client has taken the last (demand): nothing is skipped or sent twice, and a slow client
        // costs the server one step, not its backlog.
        // The ticks also end the stream within a second of the shutdown's start: an open stream would
        // hold the HTTP server's graceful shutdown until its timeout, past the platform's SIGKILL.
        Multi<OutboundSseEvent> transactions = Multi.createBy().merging().streams(
                        Multi.createFrom().item(0L),
                        signal.signals(),
                        Multi.createFrom().ticks().every(Duration.ofSeconds(1)))
                .onOverflow().drop()
                .select().first(wake -> !signal.closing())
                .emitOn(Infrastructure.getDefaultWorkerPool())
                .concatMap(wake -> Multi.createBy().repeating()
                        // A step asked for by the client's demand (from an I/O thread) still reads on a worker.
                        .uni(() -> Uni.createFrom().item(() -> log.read(position.get(), STEP_TRANSACTIONS, log.bound()))
                                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool()))
                        .whilst(slice -> slice.full() && !signal.closing()) // a backlog being caught up must not hold shutdown
                        .concatMap(slice -> {
                            if (slice.items().isEmpty()) {
                                position.set(slice.next());
                                if (!slice.full() && System.nanoTime() - lastSent.get() >= heartbeat) {
                                    lastSent.set(System.nanoTime());
                                    return Multi.createFrom().item(sse.newEventBuilder().comment("heartbeat").build());
                                }
                                return Multi.createFrom().empty();
                            }
                            return Multi.createFrom().iterable(slice.items())
                                    .map(tx -> {
                                        TxLog.Position past = TxLog.Position.past(tx);
                                        position.set(past);
                                        lastSent.set(System.nanoTime());
                                        return sse.newEventBuilder().id(log.text(past)).name("tx")
                                                .mediaType(MediaType.APPLICATION_JSON_TYPE).data(TxView.class, tx).build();
                                    })
                                    .onCompletion().invoke(() -> position.set(slice.next()));
                        }));
        OutboundSseEvent farewell = sse.newEventBuilder().name("reconnect").reconnectDelay(1000)
                .data("asof is shutting down: connect again with Last-Event-ID to resume where this stream stopped")
                .build();
        return Multi.createBy().concatenating().streams(Multi.createFrom().item(opening), transactions,
                Multi.createFrom().item(farewell));
    }

    /** A query parameter as sent: present but empty is "", never taken for absent. */
    private static String given(UriInfo uri, String name) {
        String value = uri.getQueryParameters().getFirst(name);
        return value == null ? "" : value;
    }

    /**
     * The stream's first event when the client's position names no point of this database: why,
     * this database's lineage and basis; the transactions that follow are this database's, from its first.
     */
    public record Reset(String reason, String lineage, long basisT) {
    }
}
