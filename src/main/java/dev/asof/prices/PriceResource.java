package dev.asof.prices;

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

@Path("/prices")
@Tag(name = "Prices")
@Produces({MediaType.APPLICATION_JSON, Problem.MEDIA_TYPE})
public class PriceResource {
    private final PriceHistory prices;

    public PriceResource(PriceHistory prices) {
        this.prices = prices;
    }

    @GET
    @Path("/{sku}")
    @Operation(summary = "The price of a SKU in force now")
    @APIResponse(responseCode = "200", description = "The version in force and the transaction that recorded it",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = PriceView.class),
                    examples = @ExampleObject(name = "price", value = """
                            {"sku": "ABC-123", "amount": 19.99, "currency": "EUR",
                             "effectiveAt": "2026-06-01T00:00:00Z", "t": 1042,
                             "txInstant": "2026-05-30T09:12:00.123Z", "basisT": 1090}""")))
    @APIResponse(responseCode = "404", description = "No price for this SKU is in force",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public PriceView current(@PathParam("sku") String sku) {
        return prices.current(sku);
    }
}
