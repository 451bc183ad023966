package com.parley.chat.api.rest;

import java.util.List;

import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import com.parley.chat.api.service.ClaimService;

import io.quarkus.security.Authenticated;

@Path("/api/tenants/{tenantId}/operators")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "operators", description = "The tenant's staff and the sessions each holds")
@SecurityRequirement(name = "SecurityScheme")
public class OperatorResource {

    public record Workload(String userId, long openSessions) {
    }

    public record OperatorPage(List<Workload> operators) {
    }

    @Inject
    CurrentCaller currentCaller;

    @Inject
    ClaimService claims;

    @GET
    @Operation(operationId = "listOperators",
            summary = "Workload of the tenant's staff (staff)", description = "Every staff member who holds "
            + "open sessions, with how many. The gateways' operators channel shows it with each one's status.")
    public OperatorPage workload(@PathParam("tenantId") String tenantId) {
        return new OperatorPage(claims.workload(currentCaller.in(tenantId)).entrySet().stream()
                .map(e -> new Workload(e.getKey(), e.getValue())).toList());
    }
}
