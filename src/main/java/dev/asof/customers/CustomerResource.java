package dev.asof.customers;

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

@Path("/customers")
@Tag(name = "Customers")
@Produces({MediaType.APPLICATION_JSON, Problem.MEDIA_TYPE})
public class CustomerResource {
    private final CustomerHistory customers;

    public CustomerResource(CustomerHistory customers) {
        this.customers = customers;
    }

    @GET
    @Path("/{id}")
    @Operation(summary = "A customer as the service knows it now")
    @APIResponse(responseCode = "200", description = "The customer's current attributes",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = CustomerView.class),
                    examples = @ExampleObject(name = "customer", value = """
                            {"customerId": "c-42", "name": "Ada Lovelace", "email": "ada@example.com",
                             "tier": "gold", "country": "GB", "t": 1050,
                             "txInstant": "2026-05-30T09:15:00.001Z", "basisT": 1090}""")))
    @APIResponse(responseCode = "404", description = "No such customer, or it was deleted",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public CustomerView current(@PathParam("id") String id) {
        return customers.current(id);
    }
}
