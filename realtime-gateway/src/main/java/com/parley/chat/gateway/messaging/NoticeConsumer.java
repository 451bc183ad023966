package com.parley.chat.gateway.messaging;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.reactive.messaging.Incoming;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.parley.chat.gateway.hub.SessionHub;
import com.parley.chat.gateway.protocol.Frames;

/**
 * chat.tenant-events (every instance reads all of it): an admin's notice as a {@code system_notice}
 * frame to every connection of the tenant this instance holds, whatever it follows; a note on a
 * session, and its deletion, as {@code note_added} and {@code note_deleted} frames to the tenant's
 * staff connections only, never a customer's.
 */
@ApplicationScoped
public class NoticeConsumer {

    @Inject
    Frames frames;

    @Inject
    SessionHub hub;

    @Incoming("tenant-events")
    public void onTenantEvent(String value) {
        JsonNode event = frames.parse(value);
        if (event == null || !event.hasNonNull("tenant_id")) {
            return;
        }
        String tenant = event.get("tenant_id").asText();
        switch (event.path("type").asText()) {
            case "TenantNotice" -> {
                if (event.hasNonNull("message")) {
                    hub.toTenant(tenant, frames.frame("system_notice")
                            .put("notice_id", event.path("notice_id").asText())
                            .put("message", event.get("message").asText())
                            .put("severity", event.path("severity").asText("info"))
                            .put("occurred_at", event.path("occurred_at").asText()).toString());
                }
            }
            case "NoteAdded" -> {
                if (event.hasNonNull("session_id") && event.hasNonNull("content")) {
                    ObjectNode frame = frames.frame("note_added");
                    for (String field : NOTE_FIELDS) {
                        frame.set(field, event.get(field));
                    }
                    hub.toTenantStaff(tenant, frame.toString());
                }
            }
            case "NoteDeleted" -> {
                if (event.hasNonNull("session_id") && event.hasNonNull("note_id")) {
                    hub.toTenantStaff(tenant, frames.frame("note_deleted")
                            .put("note_id", event.get("note_id").asText())
                            .put("session_id", event.get("session_id").asText())
                            .put("by", event.path("by").asText())
                            .put("occurred_at", event.path("occurred_at").asText()).toString());
                }
            }
            default -> {
                // a kind this instance does not know yet (chat-api is newer)
            }
        }
    }

    /** What a {@code note_added} frame carries of a NoteAdded event. */
    private static final List<String> NOTE_FIELDS = List.of("note_id", "session_id", "author_user_id", "author_name",
            "author_role", "content", "occurred_at");
}
