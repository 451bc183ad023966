package com.parley.chat.gateway.hub;

import java.time.Instant;
import java.time.format.DateTimeParseException;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Builds the server → client frames (JSON, snake_case) of the frame protocol (docs/protocol.md). */
@ApplicationScoped
public class Frames {

    @Inject
    ObjectMapper json;

    /** A chat.message-events value as a frame: the event's fields with the frame type. Null if unknown. */
    public EventFrame fromEvent(JsonNode event) {
        String frameType = switch (event.path("type").asText()) {
            case "SessionCreated" -> "session_created";
            case "MessageCreated" -> "message_created";
            case "MessageDeleted" -> "message_deleted";
            case "SessionStatusChanged" -> "session_status";
            default -> null;
        };
        if (frameType == null || !event.hasNonNull("seq") || !event.hasNonNull("session_id")
                || !event.hasNonNull("tenant_id")) {
            return null;
        }
        ObjectNode frame = json.createObjectNode();
        frame.put("type", frameType);
        event.properties().forEach(field -> {
            if (!"type".equals(field.getKey())) {
                frame.set(field.getKey(), field.getValue());
            }
        });
        return new EventFrame(event.get("tenant_id").asText(), event.get("session_id").asText(),
                event.get("seq").asLong(), frameType, frame.toString(), occurredAt(event));
    }

    public ObjectNode frame(String type) {
        return json.createObjectNode().put("type", type);
    }

    public String error(String code, String message, String clientMessageId) {
        ObjectNode frame = frame("error").put("code", code).put("message", message);
        if (clientMessageId != null) {
            frame.put("client_message_id", clientMessageId);
        }
        return frame.toString();
    }

    public JsonNode parse(String text) {
        try {
            JsonNode node = json.readTree(text);
            return node != null && node.isObject() ? node : null;
        } catch (java.io.IOException e) {
            return null;
        }
    }

    private static Instant occurredAt(JsonNode event) {
        try {
            return Instant.parse(event.path("occurred_at").asText());
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
