package com.parley.chat.api.messaging;

import java.time.Instant;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonIgnore;

/** Nobody holds the session any more; {@code previous} held it, {@code by} released it. */
public record SessionReleased(UUID eventId, String tenantId, UUID sessionId, long seq, Instant occurredAt,
        String previous, String by) implements ChatEvent {

    @Override
    @JsonIgnore
    public String ceType() {
        return "chat.session.released.v1";
    }
}
