package com.parley.chat.api.messaging;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonIgnore;

public record SessionCreated(UUID eventId, String tenantId, UUID sessionId, long seq, Instant occurredAt,
        String customerUserId, String customerName, String status, Map<String, Object> metadata, Instant createdAt)
        implements ChatEvent {

    @Override
    @JsonIgnore
    public String ceType() {
        return "chat.session.created.v1";
    }
}
