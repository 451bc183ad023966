package com.parley.chat.api.messaging;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonIgnore;

public record MessageCreated(UUID eventId, String tenantId, UUID sessionId, long seq, Instant occurredAt,
        UUID messageId, String role, String content, String senderUserId, String senderName, Instant createdAt,
        String clientMessageId, Map<String, Object> metadata) implements ChatEvent {

    @Override
    @JsonIgnore
    public String ceType() {
        return "chat.message.created.v1";
    }
}
