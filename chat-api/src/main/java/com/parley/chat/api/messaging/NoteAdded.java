package com.parley.chat.api.messaging;

import java.time.Instant;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * A staff member (or a service) wrote a note on a session, for the tenant's staff only: on
 * {@code chat.tenant-events}, keyed by tenant, and never a session event (no seq: the customer's
 * stream has no place for what they must not read). Every gateway sends it to the tenant's staff
 * connections as {@code note_added}.
 */
@JsonPropertyOrder({"type", "note_id", "tenant_id", "session_id", "occurred_at"})
public record NoteAdded(UUID noteId, String tenantId, UUID sessionId, Instant occurredAt, String authorUserId,
        String authorName, String authorRole, String content) {

    @JsonProperty("type")
    public String type() {
        return "NoteAdded";
    }

    @JsonIgnore
    public String ceType() {
        return "chat.session.note.added.v1";
    }
}
