package com.parley.chat.gateway.protocol;

import java.time.Instant;

/**
 * A session event ready to write: serialized once, shared by every socket that receives it.
 * {@code frame} is the JSON text frame; {@code type} its frame type (message_created, ...).
 */
public record EventFrame(String tenantId, String sessionId, long seq, String type, String frame, Instant occurredAt) {

    public SessionKey sessionKey() {
        return new SessionKey(tenantId, sessionId);
    }
}
