package com.parley.chat.legacy.rest;

import jakarta.inject.Inject;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * Every URL of the removed escalation ("SEE") and supporter-chat API, with every method, answers
 * 410 Gone. Frozen: the surface is pinned by ApiSurfaceSnapshotTest. Nothing here reads a body,
 * checks a token or touches a database or broker.
 */
@Path("/api")
@Produces(Gone.PROBLEM_JSON)
@Tag(name = "removed escalation API", description = "Removed; every operation answers 410 Gone.")
public class LegacyEscalationResource {

    private static final String ESCALATE = "/chat/{tenantId}/session/{sessionId}/escalate";
    private static final String SUPPORTERS = "/tenants/{tenantId}/supporters{rest: (/.*)?}";
    private static final String SUPPORTER_CHAT = "/tenants/{tenantId}/supporter-chat{rest: (/.*)?}";
    private static final String ADMIN_ESCALATIONS = "/admin/escalations{rest: (/.*)?}";

    @Inject
    Gone gone;

    @Context
    UriInfo uri;

    @Context
    HttpHeaders headers;

    private Response gone() {
        return gone.answer(uri.getPath(), headers.getHeaderString(HttpHeaders.USER_AGENT));
    }

    // --- POST /api/chat/{tenantId}/session/{sessionId}/escalate (and its other methods)

    @GET @Path(ESCALATE) @Deprecated @Operation(summary = "Removed: escalate a session")
    public Response escalateGet() {
        return gone();
    }

    @POST @Path(ESCALATE) @Deprecated @Operation(summary = "Removed: escalate a session")
    public Response escalatePost() {
        return gone();
    }

    @PUT @Path(ESCALATE) @Deprecated @Operation(summary = "Removed: escalate a session")
    public Response escalatePut() {
        return gone();
    }

    @PATCH @Path(ESCALATE) @Deprecated @Operation(summary = "Removed: escalate a session")
    public Response escalatePatch() {
        return gone();
    }

    @DELETE @Path(ESCALATE) @Deprecated @Operation(summary = "Removed: escalate a session")
    public Response escalateDelete() {
        return gone();
    }

    // --- /api/tenants/{tenantId}/supporters and everything below it

    @GET @Path(SUPPORTERS) @Deprecated @Operation(summary = "Removed: supporters and their sessions")
    public Response supportersGet() {
        return gone();
    }

    @POST @Path(SUPPORTERS) @Deprecated @Operation(summary = "Removed: supporters and their sessions")
    public Response supportersPost() {
        return gone();
    }

    @PUT @Path(SUPPORTERS) @Deprecated @Operation(summary = "Removed: supporters and their sessions")
    public Response supportersPut() {
        return gone();
    }

    @PATCH @Path(SUPPORTERS) @Deprecated @Operation(summary = "Removed: supporters and their sessions")
    public Response supportersPatch() {
        return gone();
    }

    @DELETE @Path(SUPPORTERS) @Deprecated @Operation(summary = "Removed: supporters and their sessions")
    public Response supportersDelete() {
        return gone();
    }

    // --- /api/tenants/{tenantId}/supporter-chat and everything below it

    @GET @Path(SUPPORTER_CHAT) @Deprecated @Operation(summary = "Removed: supporter chat")
    public Response supporterChatGet() {
        return gone();
    }

    @POST @Path(SUPPORTER_CHAT) @Deprecated @Operation(summary = "Removed: supporter chat")
    public Response supporterChatPost() {
        return gone();
    }

    @PUT @Path(SUPPORTER_CHAT) @Deprecated @Operation(summary = "Removed: supporter chat")
    public Response supporterChatPut() {
        return gone();
    }

    @PATCH @Path(SUPPORTER_CHAT) @Deprecated @Operation(summary = "Removed: supporter chat")
    public Response supporterChatPatch() {
        return gone();
    }

    @DELETE @Path(SUPPORTER_CHAT) @Deprecated @Operation(summary = "Removed: supporter chat")
    public Response supporterChatDelete() {
        return gone();
    }

    // --- /api/admin/escalations and everything below it (queue, assign, resolve)

    @GET @Path(ADMIN_ESCALATIONS) @Deprecated @Operation(summary = "Removed: escalation administration")
    public Response adminGet() {
        return gone();
    }

    @POST @Path(ADMIN_ESCALATIONS) @Deprecated @Operation(summary = "Removed: escalation administration")
    public Response adminPost() {
        return gone();
    }

    @PUT @Path(ADMIN_ESCALATIONS) @Deprecated @Operation(summary = "Removed: escalation administration")
    public Response adminPut() {
        return gone();
    }

    @PATCH @Path(ADMIN_ESCALATIONS) @Deprecated @Operation(summary = "Removed: escalation administration")
    public Response adminPatch() {
        return gone();
    }

    @DELETE @Path(ADMIN_ESCALATIONS) @Deprecated @Operation(summary = "Removed: escalation administration")
    public Response adminDelete() {
        return gone();
    }
}
