package com.parley.chat.api.service;

import java.util.Set;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;

import com.parley.chat.api.domain.Role;
import com.parley.chat.api.messaging.TenantNotice;

/**
 * Admins' notices to a tenant (SPEC 6a): stored in the outbox in the same transaction as nothing
 * else, so the relay publishes them like any event, and every gateway sends them to every open
 * connection of the tenant as {@code system_notice}.
 */
@ApplicationScoped
public class NoticeService {

    public static final Set<String> SEVERITIES = Set.of("info", "warning", "critical");
    private static final int MAX_LENGTH = 1000;

    @Inject
    EventRecorder events;

    @Inject
    WriteLimits writeLimits;

    @Transactional
    public TenantNotice post(Caller caller, String rawMessage, String rawSeverity) {
        if (caller.role() != Role.ADMIN) {
            throw Problems.forbidden("Only admins post notices.");
        }
        writeLimits.check(caller);
        String message = rawMessage == null ? "" : PlainText.trim(rawMessage);
        if (PlainText.looksEmpty(message) || message.codePointCount(0, message.length()) > MAX_LENGTH) {
            throw Problems.validation("message must have 1 to " + MAX_LENGTH + " characters.", "message");
        }
        PlainText.check(message, "message");
        String severity = rawSeverity == null ? "info" : rawSeverity;
        if (!SEVERITIES.contains(severity)) {
            throw Problems.validation("severity must be info, warning or critical.", "severity");
        }
        TenantNotice notice = new TenantNotice(UUID.randomUUID(), caller.tenantId(), Clock.now(), message, severity,
                caller.userId());
        events.record(notice);
        return notice;
    }
}
