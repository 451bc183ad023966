package com.parley.chat.api.rest;

import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import com.parley.chat.api.service.ErasureService;

import io.quarkus.security.Authenticated;

@Path("/api/tenants/{tenantId}/erasures")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "erasures", description = "Privacy requests: every chat of one customer erased")
@SecurityRequirement(name = "SecurityScheme")
public class ErasureResource {

    public record ErasureRequest(String customerUserId) {
    }

    @Inject
    CurrentCaller currentCaller;

    @Inject
    ErasureService erasures;

    @POST
    @Operation(operationId = "eraseCustomer",
            summary = "Erase every chat of a customer (admin; a privacy request)", description = "Every "
            + "message of every session of the customer, theirs and staff's, is deleted as a delete does it "
            + "(content and metadata blanked, in history too; a MessageDeleted each), the sessions' metadata "
            + "is dropped and an open session is closed (SessionStatusChanged). The sessions, their seqs and "
            + "who took part stay. Asking again erases what is left, if anything, and emits nothing more.")
    @APIResponse(responseCode = "200", description = "Erased: how many sessions the customer has and how many "
            + "messages were erased now", content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = ErasureService.Erasure.class)))
    public ErasureService.Erasure erase(@PathParam("tenantId") String tenantId, ErasureRequest body) {
        return erasures.erase(currentCaller.in(tenantId), body == null ? null : body.customerUserId());
    }
}
