package com.parley.chat.api.messaging;

import java.time.Instant;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonIgnore;

public record SessionStatusChanged(UUID eventId, String tenantId, UUID sessionId, long seq, Instant occurredAt,
        String previousStatus, String status, String changedBy) implements ChatEvent {

    @Override
    @JsonIgnore
    public String ceType() {
        return "chat.session.status_changed.v1";
    }
}
