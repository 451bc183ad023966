package com.parley.chat.gateway.messaging;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.reactive.messaging.Incoming;

import com.fasterxml.jackson.databind.JsonNode;
import com.parley.chat.gateway.hub.SessionHub;
import com.parley.chat.gateway.protocol.Frames;

/**
 * Admins' notices from chat.tenant-events: a {@code system_notice} frame to every connection of
 * the tenant this instance holds, whatever it follows (every instance reads every notice).
 */
@ApplicationScoped
public class NoticeConsumer {

    @Inject
    Frames frames;

    @Inject
    SessionHub hub;

    @Incoming("tenant-events")
    public void onTenantEvent(String value) {
        JsonNode event = frames.parse(value);
        if (event == null || !"TenantNotice".equals(event.path("type").asText()) || !event.hasNonNull("tenant_id")
                || !event.hasNonNull("message")) {
            return; // a kind this instance does not know yet
        }
        String frame = frames.frame("system_notice")
                .put("notice_id", event.path("notice_id").asText())
                .put("message", event.get("message").asText())
                .put("severity", event.path("severity").asText("info"))
                .put("occurred_at", event.path("occurred_at").asText()).toString();
        hub.toTenant(event.get("tenant_id").asText(), frame);
    }
}
