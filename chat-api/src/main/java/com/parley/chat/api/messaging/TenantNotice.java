package com.parley.chat.api.messaging;

import java.time.Instant;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * An admin's notice to every open connection of a tenant (maintenance, an incident), on
 * {@code chat.tenant-events}, keyed by tenant. Not a session event: no session, no seq.
 */
@JsonPropertyOrder({"type", "notice_id", "tenant_id", "occurred_at"})
public record TenantNotice(UUID noticeId, String tenantId, Instant occurredAt, String message, String severity,
        String by) {

    @JsonProperty("type")
    public String type() {
        return "TenantNotice";
    }

    @JsonIgnore
    public String ceType() {
        return "chat.tenant.notice.v1";
    }
}
