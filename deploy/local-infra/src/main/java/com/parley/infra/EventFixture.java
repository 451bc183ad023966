package com.parley.infra;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/**
 * Session events as chat-api's outbox relay publishes them, for the tests and the benchmark that
 * write straight to chat.message-events. The one place outside chat-api that writes the event
 * format; the gateway's EventContractTest holds it to docs/asyncapi.yaml.
 */
public final class EventFixture {

    private EventFixture() {
    }

    /** The value of an assistant's MessageCreated event, occurred now. */
    public static String messageCreated(String tenant, String session, long seq, String content) {
        String now = Instant.now().toString();
        return "{\"type\":\"MessageCreated\",\"event_id\":\"" + UUID.randomUUID() + "\",\"tenant_id\":\"" + tenant
                + "\",\"session_id\":\"" + session + "\",\"seq\":" + seq + ",\"occurred_at\":\"" + now
                + "\",\"message_id\":\"" + UUID.randomUUID() + "\",\"role\":\"assistant\",\"content\":\"" + content
                + "\",\"sender_user_id\":\"assistant\",\"created_at\":\"" + now + "\",\"metadata\":{}}";
    }

    /** The CloudEvents headers of a MessageCreated record of {@code session}. */
    public static Map<String, String> messageCreatedHeaders(String session) {
        return Map.of("ce_specversion", "1.0", "ce_id", UUID.randomUUID().toString(), "ce_type",
                "chat.message.created.v1", "ce_source", "/parley/chat-api", "ce_time", Instant.now().toString(),
                "ce_subject", session, "content-type", "application/json");
    }
}
