package com.parley.chat.api.messaging;

import java.time.Instant;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * A note on a session was deleted ({@code by}: its author or an admin), on {@code chat.tenant-events}
 * for the staff's pages (as {@code note_deleted}) and for services that keep notes.
 */
@JsonPropertyOrder({"type", "note_id", "tenant_id", "session_id", "occurred_at"})
public record NoteDeleted(UUID noteId, String tenantId, UUID sessionId, Instant occurredAt, String by) {

    @JsonProperty("type")
    public String type() {
        return "NoteDeleted";
    }

    @JsonIgnore
    public String ceType() {
        return "chat.session.note.deleted.v1";
    }
}
