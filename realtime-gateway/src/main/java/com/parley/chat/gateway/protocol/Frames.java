package com.parley.chat.gateway.protocol;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Builds the server → client frames (JSON, snake_case) of the frame protocol (docs/protocol.md). */
@ApplicationScoped
public class Frames {

    private final ObjectMapper json;
    private final ObjectReader clientFrames;

    @Inject
    public Frames(ObjectMapper json) {
        this.json = json;
        this.clientFrames = json.reader().with(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
                .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    }

    /** The envelope every event has, all that an {@code other_event} frame carries of an event. */
    private static final List<String> ENVELOPE = List.of("event_id", "tenant_id", "session_id", "seq", "occurred_at");

    /**
     * A chat.message-events value as a frame: the event's fields with the frame type. Null for a
     * record that is no session event (no type, seq, session or tenant). An event of a type this
     * gateway does not know (chat-api is newer: a rolling upgrade) keeps its place in the session's
     * seq as an {@code other_event} frame with only its envelope: dropped, its seq was a gap that
     * history could not fill, and the session's subscribers stalled while the gateway asked chat-api
     * again every 50 ms; passed on whole, a field meant for staff could reach a customer.
     */
    public EventFrame fromEvent(JsonNode event) {
        String type = event.path("type").asText();
        String frameType = switch (type) {
            case "SessionCreated" -> "session_created";
            case "MessageCreated" -> "message_created";
            case "MessageDeleted" -> "message_deleted";
            case "SessionStatusChanged" -> "session_status";
            case "SessionClaimed", "SessionReleased" -> "session_claimed";
            case "SessionRated" -> "session_rated";
            default -> type.isEmpty() ? null : "other_event";
        };
        if (frameType == null || !event.hasNonNull("seq") || !event.hasNonNull("session_id")
                || !event.hasNonNull("tenant_id")) {
            return null;
        }
        String sessionId = event.get("session_id").asText();
        ObjectNode frame = json.createObjectNode();
        frame.put("type", frameType);
        frame.put("channel", Channel.session(sessionId).name());
        if ("other_event".equals(frameType)) {
            frame.put("event_type", type.length() > 64 ? type.substring(0, 64) : type);
            ENVELOPE.forEach(name -> frame.set(name, event.get(name)));
        } else {
            event.properties().forEach(field -> {
                if (!"type".equals(field.getKey()) && !"channel".equals(field.getKey())) {
                    frame.set(field.getKey(), field.getValue());
                }
            });
        }
        if ("SessionReleased".equals(event.path("type").asText())) {
            frame.putNull("claimed_by"); // one frame for both: claimed_by null means nobody holds it
        }
        String onSession = frame.toString();
        frame.put("channel", Channel.DASHBOARD.name());
        return new EventFrame(event.get("tenant_id").asText(), sessionId, event.get("seq").asLong(), frameType,
                onSession, frame.toString(), occurredAt(event));
    }

    /** The message a {@code message_deleted} or {@code message_created} frame is about, or null. */
    public String messageId(EventFrame event) {
        JsonNode frame = parse(event.frame());
        return frame == null ? null : frame.path("message_id").asText(null);
    }

    /**
     * A {@code message_created} frame of a message that was deleted since: content blank, metadata
     * and the sender's name gone (as chat-api has it in history), {@code deleted: true}, everything
     * else (seq, ids) as it was, on both channels.
     */
    public EventFrame redacted(EventFrame created) {
        ObjectNode frame = (ObjectNode) parse(created.frame());
        frame.put("content", "");
        frame.remove("metadata");
        frame.remove("sender_name");
        frame.put("deleted", true);
        String onSession = frame.toString();
        frame.put("channel", Channel.DASHBOARD.name());
        return new EventFrame(created.tenantId(), created.sessionId(), created.seq(), created.type(), onSession,
                frame.toString(), created.occurredAt());
    }

    public ObjectNode frame(String type) {
        return json.createObjectNode().put("type", type);
    }

    /** A frame of a channel: {@code type}, then {@code channel}. */
    public ObjectNode frame(String type, Channel channel) {
        return frame(type).put("channel", channel.name());
    }

    public String error(String code, String message, String clientMessageId) {
        return error(code, message, clientMessageId, (String) null);
    }

    /** An error about a frame sent on a channel (a refused message carries its channel). */
    public String error(String code, String message, String clientMessageId, Channel channel) {
        return error(code, message, clientMessageId, channel == null ? null : channel.name());
    }

    /** An error about a frame that named {@code channel}, as the frame named it (one it does not follow, say). */
    public String error(String code, String message, String clientMessageId, String channel) {
        ObjectNode frame = frame("error").put("code", code).put("message", message);
        if (clientMessageId != null) {
            frame.put("client_message_id", clientMessageId);
        }
        if (channel != null) {
            frame.put("channel", channel);
        }
        return frame.toString();
    }

    /** A refused or failed subscription: {@code code} is forbidden, not_found or limit. */
    public String channelError(String code, String message, String channel) {
        ObjectNode frame = frame("error").put("code", code).put("message", message);
        if (channel != null) {
            frame.put("channel", channel);
        }
        return frame.toString();
    }

    /**
     * A subscription that could not be admitted or go on right now (chat-api unreachable): it is
     * not there any more, and the client subscribes again later from its last seq ({@code resubscribe}).
     */
    public String channelUnavailable(String message, String channel) {
        return frame("error").put("code", "unavailable").put("message", message).put("channel", channel)
                .put("resubscribe", true).toString();
    }

    /**
     * A client's frame: one JSON object that names each field once, or the fault to answer with. A
     * field named twice is refused: the gateway would act on its last value where chat-api, a log
     * or a proxy may have read the first; so is a second object after the first (two frames run
     * together): read alone, the first would be acted on and the second lost without a word.
     */
    public ClientFrame clientFrame(String text) {
        String notAnObject = "A frame is a JSON object with a type.";
        try {
            JsonNode node = clientFrames.readTree(text);
            return node != null && node.isObject() ? new ClientFrame(node, null) : new ClientFrame(null, notAnObject);
        } catch (StreamReadException e) {
            String message = e.getOriginalMessage();
            String duplicate = "Duplicate field '"; // Jackson's words for what STRICT_DUPLICATE_DETECTION finds
            return new ClientFrame(null, message != null && message.startsWith(duplicate)
                    ? "A frame names '" + message.substring(duplicate.length()) + " more than once." : notAnObject);
        } catch (MismatchedInputException e) {
            String message = e.getOriginalMessage(); // FAIL_ON_TRAILING_TOKENS: "Trailing token …"
            return new ClientFrame(null, message != null && message.startsWith("Trailing token")
                    ? "A frame holds one JSON object; this one holds more." : notAnObject);
        } catch (java.io.IOException e) {
            return new ClientFrame(null, notAnObject);
        }
    }

    /**
     * {@code expires_at} on a greeting or an {@code authenticated}: when the connection is closed
     * with 4401 unless an {@code auth} frame brings a fresh token first (the token's expiry and the
     * clock skew allowed); absent for a token without one.
     */
    public ObjectNode expiry(ObjectNode frame, Instant expiresAt) {
        return expiresAt == null ? frame : frame.put("expires_at", expiresAt.toString());
    }

    /** A client's frame ({@code frame}) or why it is refused ({@code fault}). */
    public record ClientFrame(JsonNode frame, String fault) {
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
        return instant(event.path("occurred_at").asText());
    }

    /**
     * An ISO-8601 UTC instant as chat-api writes it ({@code 2026-11-24T19:16:45.334622356Z}), without
     * the general parser on the hot path (it was 3 % of the gateway's CPU); anything else goes to
     * {@link Instant#parse}. Null when it is not an instant.
     */
    static Instant instant(String text) {
        int n = text.length();
        if (n >= 20 && n <= 30 && text.charAt(4) == '-' && text.charAt(7) == '-' && text.charAt(10) == 'T'
                && text.charAt(13) == ':' && text.charAt(16) == ':' && text.charAt(n - 1) == 'Z'
                && (n == 20 || text.charAt(19) == '.')) {
            int nanos = 0;
            int digits = 0;
            for (int i = 20; i < n - 1; i++, digits++) {
                char c = text.charAt(i);
                if (c < '0' || c > '9') {
                    return parsed(text);
                }
                nanos = nanos * 10 + (c - '0');
            }
            for (; digits < 9; digits++) {
                nanos *= 10;
            }
            int year = digits(text, 0, 4);
            int month = digits(text, 5, 7);
            int day = digits(text, 8, 10);
            int hour = digits(text, 11, 13);
            int minute = digits(text, 14, 16);
            int second = digits(text, 17, 19);
            if (year < 0 || month < 1 || month > 12 || day < 1 || day > 31 || hour < 0 || hour > 23 || minute < 0
                    || minute > 59 || second < 0 || second > 59) {
                return parsed(text);
            }
            try {
                long epochDay = LocalDate.of(year, month, day).toEpochDay();
                return Instant.ofEpochSecond(epochDay * 86_400 + hour * 3600L + minute * 60L + second, nanos);
            } catch (DateTimeException e) {
                return null;
            }
        }
        return parsed(text);
    }

    private static int digits(String text, int from, int to) {
        int value = 0;
        for (int i = from; i < to; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }

    private static Instant parsed(String text) {
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
