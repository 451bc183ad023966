package com.parley.chat.api.messaging;

import java.time.Instant;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonIgnore;

public record MessageDeleted(UUID eventId, String tenantId, UUID sessionId, long seq, Instant occurredAt,
        UUID messageId, String deletedBy, Instant deletedAt) implements ChatEvent {

    @Override
    @JsonIgnore
    public String ceType() {
        return "chat.message.deleted.v1";
    }
}
