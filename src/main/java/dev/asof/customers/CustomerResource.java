package dev.asof.customers;

import java.net.URI;
import java.util.concurrent.CompletionException;
import dev.asof.core.AsOf;
import dev.asof.core.Text;
import dev.asof.http.Caching;
import dev.asof.core.Page;
import dev.asof.http.Problem;
import dev.asof.core.SystemTimeRange;
import dev.asof.datomic.ReadThreads;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.asof.core.FieldError;
import dev.asof.core.Refusal;
import dev.asof.erasure.ErasureRecord;
import dev.asof.erasure.Erasures;
import dev.asof.security.BearerTokens;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import java.time.Duration;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
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
    /** How long an erasure request waits for its outcome before it answers 202: the erasure goes on. */
    private static final Duration ERASURE_ANSWER_WITHIN = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = dev.asof.core.JsonBuffers.shared(new ObjectMapper());

    private final CustomerHistory customers;
    private final Caching caching;
    private final ReadThreads threads;
    private final Erasures erasures;
    private final BearerTokens tokens;

    public CustomerResource(CustomerHistory customers, Caching caching, ReadThreads threads, Erasures erasures,
            BearerTokens tokens) {
        this.customers = customers;
        this.caching = caching;
        this.threads = threads;
        this.erasures = erasures;
        this.tokens = tokens;
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
    @APIResponse(responseCode = "410", description = "The customer's personal data was erased (at any asOf): when, at which t",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Uni<Response> customer(@PathParam("id") String id,
            @Parameter(description = "A Datomic t or an RFC 3339 instant; default now") @QueryParam("asOf") String asOf,
            @Context HttpHeaders headers) {
        Text.requireText("id", id);
        return threads.run(() -> caching.respondErasable(headers, customers.at(id, AsOf.parse("asOf", asOf))));
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
        return caching.respondErasable(headers,
                customers.history(Text.requireText("id", id), SystemTimeRange.parse(from, to, order), Page.limit(limit),
                        cursor), uri);
    }

    @POST
    @Path("/{id}/erasure")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Erase the customer's personal data from every database value and the journal (GDPR art. 17)",
            description = "Needs an erase token (ASOF_ERASE_TOKENS), not a write token. Erases id, name, email and city in"
                    + " every version; keeps tier, country, every transaction and t. Idempotent: a repeat answers 200"
                    + " with the first erasure's record.")
    @RequestBody(content = @Content(mediaType = MediaType.APPLICATION_JSON, examples = @ExampleObject(name = "erasure",
            value = "{\"reason\": \"GDPR art. 17 request, ticket DPO-1234\"}")))
    @APIResponse(responseCode = "201", description = "Erased: the audit record (Location: /erasures)",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ErasureRecord.class)))
    @APIResponse(responseCode = "200", description = "Erased before: that erasure's record")
    @APIResponse(responseCode = "202", description = "Accepted and running (a large database takes a while to copy, or"
            + " Datomic Pro's excision is pending); GET /erasures lists it once complete")
    @APIResponse(responseCode = "400", description = "No reason, or a reason that names an erased value",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "401", description = "No erase token")
    @APIResponse(responseCode = "403", description = "Erasure is off (no ASOF_ERASE_TOKENS), or a read or write token")
    @APIResponse(responseCode = "404", description = "No customer with this id was ever recorded",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "503", description = "The journal refused it, its clock is behind, or another process took"
            + " the writer role: nothing was erased (Retry-After); or its journal outcome stayed unknown (said so)",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "507", description = "The heap cannot hold the copy of the embedded database an erasure"
            + " makes: nothing was erased",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Uni<Response> erase(@PathParam("id") String id, String body,
            @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization) {
        Text.requireText("id", id);
        String reason = reason(body);
        String by = tokens.requireEraser(authorization);
        return Uni.createFrom().completionStage(erasures.erase(id, by, reason))
                .map(outcome -> Response.status(outcome.record().status().equals("pending") ? 202
                                : outcome.created() ? 201 : 200)
                        .location(URI.create("/erasures"))
                        .entity(outcome.record()).type(MediaType.APPLICATION_JSON).build())
                .ifNoItem().after(ERASURE_ANSWER_WITHIN).recoverWithItem(() -> Response.status(202)
                        .entity(new Running("running", "The erasure is still running (copying the database takes a"
                                + " while when it is large); GET /erasures lists it once complete, and repeating this"
                                + " request is safe"))
                        .type(MediaType.APPLICATION_JSON).build())
                .onFailure(CompletionException.class).transform(Throwable::getCause);
    }

    /** What an erasure request answers (202) while the erasure still runs. */
    public record Running(String status, String detail) {
    }

    /** The request's reason: required, 1 to {@value Erasures#MAX_REASON} characters of text. */
    private static String reason(String body) {
        JsonNode json;
        try {
            json = body == null || body.isBlank() ? null : JSON.readTree(body);
        } catch (java.io.IOException e) {
            json = null;
        }
        JsonNode reason = json == null ? null : json.get("reason");
        String problem = reason == null || !reason.isTextual() ? "is required: a JSON string saying why"
                : reason.asText().isBlank() ? "must not be blank"
                : reason.asText().length() > Erasures.MAX_REASON ? "must be at most " + Erasures.MAX_REASON + " characters"
                : Text.problem(reason.asText());
        if (problem != null) {
            throw Refusal.invalid("An erasure needs a body {\"reason\": \"…\"}: reason " + problem,
                    List.of(new FieldError(null, null, "reason", problem)));
        }
        return reason.asText();
    }
}
