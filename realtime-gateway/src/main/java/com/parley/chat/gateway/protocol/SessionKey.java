package com.parley.chat.gateway.protocol;

import java.util.Objects;

/**
 * A session as every part of the gateway names it: tenant and session id. Its text form
 * {@code tenant:session} is the Kafka record key of both topics (per-session order).
 */
public record SessionKey(String tenantId, String sessionId) {

    public SessionKey {
        Objects.requireNonNull(tenantId, "tenantId");
        Objects.requireNonNull(sessionId, "sessionId");
    }

    /** The Kafka record key. */
    @Override
    public String toString() {
        return tenantId + ":" + sessionId;
    }
}
