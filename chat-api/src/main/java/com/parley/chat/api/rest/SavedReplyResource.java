package com.parley.chat.api.rest;

import java.util.List;
import java.util.UUID;

import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
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

import com.parley.chat.api.service.SavedReplies;
import com.parley.chat.api.service.SavedReplies.SavedReply;

import io.quarkus.security.Authenticated;

@Path("/api/tenants/{tenantId}/saved-replies")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "saved replies", description = "Answers the tenant's admins write once and every operator inserts with /shortcut")
@SecurityRequirement(name = "SecurityScheme")
public class SavedReplyResource {

    public record SavedReplyRequest(String shortcut, String content) {
    }

    public record SavedReplyPage(List<SavedReply> replies) {
    }

    @Inject
    CurrentCaller currentCaller;

    @Inject
    SavedReplies replies;

    @GET
    @Operation(operationId = "listSavedReplies", summary = "The tenant's saved replies, by shortcut (staff, services)")
    public SavedReplyPage list(@PathParam("tenantId") String tenantId) {
        return new SavedReplyPage(replies.list(currentCaller.in(tenantId)));
    }

    @POST
    @Operation(operationId = "createSavedReply", summary = "Save a reply (admin)", description = "shortcut: 1 to 32 "
            + "lower-case letters, digits, - or _ (a leading / is dropped, upper case lowered); content: as a "
            + "message's. 409 shortcut-taken, or saved-replies-full when the tenant keeps as many as it may.")
    @APIResponse(responseCode = "201", description = "Saved", content = @Content(
            mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = SavedReply.class)))
    public Response create(@PathParam("tenantId") String tenantId, SavedReplyRequest body) {
        SavedReply reply = replies.create(currentCaller.in(tenantId), body == null ? null : body.shortcut(),
                body == null ? null : body.content());
        return Response.status(Response.Status.CREATED).entity(reply).build();
    }

    @PUT
    @Path("/{replyId}")
    @Operation(operationId = "updateSavedReply", summary = "Change a saved reply (admin)", description = "Both "
            + "fields, as on create.")
    public SavedReply update(@PathParam("tenantId") String tenantId, @PathParam("replyId") UUID replyId,
            SavedReplyRequest body) {
        return replies.update(currentCaller.in(tenantId), replyId, body == null ? null : body.shortcut(),
                body == null ? null : body.content());
    }

    @DELETE
    @Path("/{replyId}")
    @Consumes(MediaType.WILDCARD)
    @Operation(operationId = "deleteSavedReply", summary = "Delete a saved reply (admin)")
    @APIResponse(responseCode = "204", description = "Deleted")
    public Response delete(@PathParam("tenantId") String tenantId, @PathParam("replyId") UUID replyId) {
        replies.delete(currentCaller.in(tenantId), replyId);
        return Response.noContent().build();
    }
}
