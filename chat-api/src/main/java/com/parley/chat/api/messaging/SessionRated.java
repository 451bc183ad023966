package com.parley.chat.api.messaging;

import java.time.Instant;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonIgnore;

/** The customer rated the chat after it ended: {@code rating} is {@code good} or {@code bad}; {@code by} rated it. */
public record SessionRated(UUID eventId, String tenantId, UUID sessionId, long seq, Instant occurredAt, String rating,
        String by) implements ChatEvent {

    @Override
    @JsonIgnore
    public String ceType() {
        return "chat.session.rated.v1";
    }
}
