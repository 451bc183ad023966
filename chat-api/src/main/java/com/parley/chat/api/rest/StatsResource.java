package com.parley.chat.api.rest;

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

@Path("/api/tenants/{tenantId}/stats")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "stats", description = "The tenant's live session figures, for admins")
@SecurityRequirement(name = "SecurityScheme")
public class StatsResource {

    @Inject
    CurrentCaller currentCaller;

    @Inject
    ClaimService claims;

    @GET
    @Operation(operationId = "getTenantStats",
            summary = "The tenant's session figures (admin)", description = "What the gateways' stats channel "
            + "shows besides its own figures: open and unclaimed sessions, the oldest unclaimed one's start, and "
            + "the chats customers rated good and bad in the last 24 hours.")
    public ClaimService.SessionFigures figures(@PathParam("tenantId") String tenantId) {
        return claims.figures(currentCaller.in(tenantId));
    }
}
