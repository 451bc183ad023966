package com.parley.chat.api.messaging;

import java.time.Instant;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * A session event of the {@code chat.message-events} contract (docs/asyncapi.yaml). Every event
 * carries the envelope fields below; the records add their own.
 */
@JsonPropertyOrder({"type", "event_id", "tenant_id", "session_id", "seq", "occurred_at"})
public sealed interface ChatEvent permits SessionCreated, MessageCreated, MessageDeleted, SessionStatusChanged, SessionClaimed,
        SessionReleased, SessionRated {

    UUID eventId();

    String tenantId();

    UUID sessionId();

    long seq();

    Instant occurredAt();

    /** The event name, also in the JSON value as {@code type}. */
    @JsonProperty("type")
    default String type() {
        return getClass().getSimpleName();
    }

    /** The CloudEvents type header, versioned: a breaking change gets a new version. */
    String ceType();

    /** The Kafka key: every event of a session lands on one partition, in seq order. */
    default String recordKey() {
        return tenantId() + ":" + sessionId();
    }
}
