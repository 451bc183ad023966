package com.parley.chat.gateway.auth;

import java.time.Instant;

/**
 * A verified token: who, of which tenant, in which role, until when; {@code name} is the token's
 * {@code name} claim (what others see of them; null when the token has none usable).
 */
public record Caller(String tenantId, String userId, String role, Instant expiresAt, String rawToken, String name) {

    public Caller(String tenantId, String userId, String role, Instant expiresAt, String rawToken) {
        this(tenantId, userId, role, expiresAt, rawToken, null);
    }

    public boolean isStaff() {
        return "supporter".equals(role) || "admin".equals(role) || "service".equals(role);
    }

    /** Staff in person (supporters, admins): they have an operator status; a service does not. */
    public boolean isOperator() {
        return "supporter".equals(role) || "admin".equals(role);
    }

    public boolean isAdmin() {
        return "admin".equals(role);
    }

    /** The role a participant shows to others (a service writes as the assistant). */
    public String participantRole() {
        return "service".equals(role) ? "assistant" : role;
    }

    @Override
    public String toString() {
        return "Caller[" + tenantId + "/" + userId + " as " + role + "]"; // never the token
    }
}
