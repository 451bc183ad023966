package com.parley.chat.api.service;

import java.util.Set;

import com.parley.chat.api.domain.Role;

/**
 * Who is calling, from the verified token: {@code sub}, {@code tenant} and the strongest of its
 * {@code groups}, and the {@code name} others may be shown (null when it has none fit to show). A
 * {@code service} token (an AI assistant) writes as {@code assistant}.
 */
public record Caller(String tenantId, String userId, Role role, String name) {

    public Caller(String tenantId, String userId, Role role) {
        this(tenantId, userId, role, null);
    }

    public static Caller of(String tenantId, String userId, Set<String> groups) {
        return of(tenantId, userId, groups, null);
    }

    public static Caller of(String tenantId, String userId, Set<String> groups, String name) {
        Role role;
        if (groups.contains("admin")) {
            role = Role.ADMIN;
        } else if (groups.contains("supporter")) {
            role = Role.SUPPORTER;
        } else if (groups.contains("service")) {
            role = Role.ASSISTANT;
        } else if (groups.contains("user")) {
            role = Role.USER;
        } else {
            throw Problems.forbidden("The token carries none of the groups user, supporter, admin, service.");
        }
        if (tenantId == null || tenantId.isBlank() || userId == null || userId.isBlank()) {
            throw Problems.unauthorized("The token lacks the tenant or sub claim.");
        }
        // what the columns hold (tenant_id 64, user ids 255): a longer claim is refused, not a 500
        if (!storable(tenantId, userId)) {
            throw Problems.unauthorized("The token's tenant or sub claim is too long or malformed.");
        }
        return new Caller(tenantId, userId, role, name);
    }

    /** Whether a tenant and a user id (not blank) fit the columns that hold them: 64 and 255 characters of text. */
    public static boolean storable(String tenantId, String userId) {
        return tenantId.length() <= 64 && userId.length() <= 255 && PlainText.flaw(tenantId) == null
                && PlainText.flaw(userId) == null;
    }

    /** Staff (supporters, admins) and services see every session of their tenant. */
    public boolean seesWholeTenant() {
        return role != Role.USER;
    }

    /** Staff may change a session's status; a service (assistant) may not. */
    public boolean isStaff() {
        return role == Role.SUPPORTER || role == Role.ADMIN;
    }
}
