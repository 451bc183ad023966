package com.parley.chat.api.rest;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.Operation;
import org.eclipse.microprofile.openapi.models.PathItem;
import org.eclipse.microprofile.openapi.models.media.Schema;
import org.eclipse.microprofile.openapi.models.responses.APIResponse;

/**
 * Puts the problems each operation answers into the OpenAPI document, as {@code application/problem+json}
 * with the {@code Problem} schema: those of every call (401 no valid token, 403 another tenant's or a role's
 * limit, 503 the database away), 404 where the path names a session, the body's problems where there is a
 * body, and per operation the others docs/errors.md lists for it. The annotations
 * on the resources give the successes; a generated client then knows every status it can get.
 */
public class ProblemResponses implements OASFilter {

    private static final Map<String, String> WHY = Map.ofEntries(
            Map.entry("400", "Malformed body (not JSON, a field twice, a field the request does not have, a wrong type: "
                    + "malformed-body) or query parameter (bad-request)"),
            Map.entry("401", "No valid token (unauthorized)"),
            Map.entry("403", "Another tenant, or not allowed for the caller's role (forbidden)"),
            Map.entry("404", "No such session, message, note or saved reply in the tenant, or not the caller's "
                    + "(session-not-found, message-not-found, note-not-found, saved-reply-not-found)"),
            Map.entry("409", "The session is closed or resolved (session-not-open), held by another staff member "
                    + "(session-claimed), still open when it is rated (session-still-open), or the client_message_id "
                    + "is another participant's (client-message-id-taken); a saved reply's shortcut is taken "
                    + "(shortcut-taken) or the tenant keeps as many as it may (saved-replies-full)"),
            Map.entry("413", "The body is larger than the request limit (payload-too-large)"),
            Map.entry("415", "The body is not application/json (unsupported-media-type)"),
            Map.entry("422", "The body fails validation; field names it (validation-failed)"),
            Map.entry("429", "Too many writes by this user or tenant; Retry-After says when (too-many-writes)"),
            Map.entry("503", "The database is unreachable, or the session has more writers than it takes; "
                    + "Retry-After says when (service-unavailable, session-busy)"));

    private static final List<String> EVERY_CALL = List.of("401", "403", "503");

    /** Of every operation that takes a body. */
    private static final List<String> BODY = List.of("400", "413", "415", "422");

    private static final String SESSIONS = "/api/tenants/{tenantId}/sessions";
    private static final String SESSION = SESSIONS + "/{sessionId}";
    private static final String SAVED_REPLIES = "/api/tenants/{tenantId}/saved-replies";
    private static final String SAVED_REPLY = SAVED_REPLIES + "/{replyId}";

    /** "METHOD path" → the problems of that operation beyond those of every call, of a session and of a body. */
    private static final Map<String, List<String>> BY_OPERATION = Map.ofEntries(
            Map.entry("POST " + SESSIONS, List.of("429")),
            Map.entry("GET " + SESSIONS, List.of("400")),
            Map.entry("PATCH " + SESSION, List.of("409")),
            Map.entry("POST " + SESSION + "/claim", List.of("400", "409")),
            Map.entry("DELETE " + SESSION + "/claim", List.of("409")),
            Map.entry("POST " + SESSION + "/transfer", List.of("409")),
            Map.entry("PUT " + SESSION + "/rating", List.of("409")),
            Map.entry("POST " + SESSION + "/messages", List.of("409", "429")),
            Map.entry("GET " + SESSION + "/messages", List.of("400")),
            Map.entry("GET " + SESSION + "/events", List.of("400")),
            Map.entry("POST /api/tenants/{tenantId}/notices", List.of("429")),
            Map.entry("POST " + SESSION + "/notes", List.of("429")),
            Map.entry("DELETE " + SESSION + "/notes/{noteId}", List.of("429")),
            Map.entry("POST " + SAVED_REPLIES, List.of("409", "429")),
            Map.entry("PUT " + SAVED_REPLY, List.of("404", "409", "429")),
            Map.entry("DELETE " + SAVED_REPLY, List.of("404", "429")));

    @Override
    public void filterOpenAPI(OpenAPI openAPI) {
        openAPI.getComponents().addSchema("Problem", problemSchema());
        if (openAPI.getPaths() == null) {
            return;
        }
        openAPI.getPaths().getPathItems().forEach((path, item) -> {
            if (path.startsWith("/api/")) {
                item.getOperations().forEach((method, operation) -> {
                    document(method, path, operation);
                    closeBody(openAPI, operation);
                });
            }
        });
    }

    /** A request body takes its own fields only (KnownFieldsOnly): its schema says so. */
    private static void closeBody(OpenAPI openAPI, Operation operation) {
        if (operation.getRequestBody() == null || operation.getRequestBody().getContent() == null) {
            return;
        }
        operation.getRequestBody().getContent().getMediaTypes().values().forEach(media -> {
            String ref = media.getSchema() == null ? null : media.getSchema().getRef();
            Schema body = ref == null ? null
                    : openAPI.getComponents().getSchemas().get(ref.substring(ref.lastIndexOf('/') + 1));
            if (body != null) {
                body.additionalPropertiesBoolean(Boolean.FALSE);
            }
        });
    }

    private static void document(PathItem.HttpMethod method, String path, Operation operation) {
        List<String> statuses = new ArrayList<>(EVERY_CALL);
        if (path.contains("{sessionId}")) {
            statuses.add("404"); // another tenant's session, or none
        }
        if (operation.getRequestBody() != null) {
            statuses.addAll(BODY);
        }
        statuses.addAll(BY_OPERATION.getOrDefault(method + " " + path, List.of()));
        for (String status : statuses) {
            // replaces what the scanner inferred (a bare "400 Bad Request") with the problem it is
            operation.getResponses().addAPIResponse(status, problem(WHY.get(status)));
        }
    }

    private static APIResponse problem(String description) {
        return OASFactory.createAPIResponse().description(description).content(OASFactory.createContent()
                .addMediaType(Problem.MEDIA_TYPE, OASFactory.createMediaType()
                        .schema(OASFactory.createSchema().ref("Problem"))));
    }

    private static Schema problemSchema() {
        return OASFactory.createSchema().addType(Schema.SchemaType.OBJECT)
                .description("RFC 9457 problem details; type is stable (docs/errors.md), and some problems add "
                        + "members: field, retry_after, claimed_by, session_status, max_bytes, shortcut, max_replies")
                .addProperty("type", OASFactory.createSchema().addType(Schema.SchemaType.STRING)
                        .format("uri").example("https://parley.chat/problems/validation-failed"))
                .addProperty("title", OASFactory.createSchema().addType(Schema.SchemaType.STRING))
                .addProperty("status", OASFactory.createSchema().addType(Schema.SchemaType.INTEGER))
                .addProperty("detail", OASFactory.createSchema().addType(Schema.SchemaType.STRING))
                .addProperty("instance", OASFactory.createSchema().addType(Schema.SchemaType.STRING))
                .additionalPropertiesBoolean(Boolean.TRUE);
    }
}
