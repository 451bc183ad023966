package com.parley.chat.api.rest;

import java.util.List;
import java.util.UUID;

import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
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

import com.parley.chat.api.service.SessionNotes;
import com.parley.chat.api.service.SessionNotes.Note;

import io.quarkus.security.Authenticated;

@Path("/api/tenants/{tenantId}/sessions/{sessionId}/notes")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "notes", description = "Staff's notes on a session, which its customer never sees")
@SecurityRequirement(name = "SecurityScheme")
public class NoteResource {

    public record NoteRequest(String content) {
    }

    public record NotePage(List<Note> notes) {
    }

    @Inject
    CurrentCaller currentCaller;

    @Inject
    SessionNotes notes;

    @GET
    @Operation(operationId = "listNotes", summary = "The session's notes, oldest first (staff, services)")
    public NotePage list(@PathParam("tenantId") String tenantId, @PathParam("sessionId") UUID sessionId) {
        return new NotePage(notes.list(currentCaller.in(tenantId), sessionId));
    }

    @POST
    @Operation(operationId = "addNote", summary = "Write a note on a session (staff, services)", description = "For "
            + "the tenant's staff only, in any status of the session; content as a message's. Publishes NoteAdded "
            + "on chat.tenant-events; every gateway sends it to the tenant's staff connections as note_added. Not "
            + "a session event: no seq, and the customer never gets it.")
    @APIResponse(responseCode = "201", description = "Written", content = @Content(
            mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = Note.class)))
    public Response add(@PathParam("tenantId") String tenantId, @PathParam("sessionId") UUID sessionId,
            NoteRequest body) {
        Note note = notes.add(currentCaller.in(tenantId), sessionId, body == null ? null : body.content());
        return Response.status(Response.Status.CREATED).entity(note).build();
    }

    @DELETE
    @Path("/{noteId}")
    @Consumes(MediaType.WILDCARD)
    @Operation(operationId = "deleteNote", summary = "Delete a note (its author, or an admin)", description = "Gone "
            + "for good (notes are not history). Publishes NoteDeleted on chat.tenant-events; staff's pages drop it "
            + "(note_deleted).")
    @APIResponse(responseCode = "204", description = "Deleted")
    public Response delete(@PathParam("tenantId") String tenantId, @PathParam("sessionId") UUID sessionId,
            @PathParam("noteId") UUID noteId) {
        notes.delete(currentCaller.in(tenantId), sessionId, noteId);
        return Response.noContent().build();
    }
}
