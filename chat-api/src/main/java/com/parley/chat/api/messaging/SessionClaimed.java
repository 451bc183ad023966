package com.parley.chat.api.messaging;

import java.time.Instant;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A staff member now holds the session: claimed it, took it over ({@code previous} is the former
 * holder) or had it transferred to them ({@code by} is who did it).
 */
public record SessionClaimed(UUID eventId, String tenantId, UUID sessionId, long seq, Instant occurredAt,
        String claimedBy, @JsonInclude(JsonInclude.Include.ALWAYS) String previous, String by)
        implements ChatEvent {

    @Override
    @JsonIgnore
    public String ceType() {
        return "chat.session.claimed.v1";
    }
}
