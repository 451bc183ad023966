package com.parley.chat.api.rest;

import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import com.parley.chat.api.messaging.TenantNotice;
import com.parley.chat.api.service.NoticeService;

import io.quarkus.security.Authenticated;

@Path("/api/tenants/{tenantId}/notices")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "notices", description = "Admins' notices to every open page of the tenant")
@SecurityRequirement(name = "SecurityScheme")
public class NoticeResource {

    public record NoticeRequest(String message, String severity) {
    }

    @Inject
    CurrentCaller currentCaller;

    @Inject
    NoticeService notices;

    @POST
    @Operation(operationId = "postNotice",
            summary = "Post a notice to every open connection of the tenant (admin)", description = "202: "
            + "published on chat.tenant-events; every gateway sends it as a system_notice frame to every "
            + "connection of the tenant it holds. severity: info (default), warning, critical.")
    @APIResponse(responseCode = "202", description = "Published", content = @Content(
            mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = TenantNotice.class)))
    public Response post(@PathParam("tenantId") String tenantId, NoticeRequest body) {
        TenantNotice notice = notices.post(currentCaller.in(tenantId), body == null ? null : body.message(),
                body == null ? null : body.severity());
        return Response.accepted(notice).build();
    }
}
