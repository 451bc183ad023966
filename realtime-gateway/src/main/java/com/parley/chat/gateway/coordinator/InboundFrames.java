package com.parley.chat.gateway.coordinator;

import java.nio.charset.StandardCharsets;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.parley.chat.gateway.auth.TokenVerifier;
import com.parley.chat.gateway.chatapi.ChatApiClient;
import com.parley.chat.gateway.client.ClientConnection;
import com.parley.chat.gateway.client.ClientSession;
import com.parley.chat.gateway.config.GatewayConfig;
import com.parley.chat.gateway.protocol.Frames;
import com.parley.chat.gateway.signal.SignalPublisher;

/**
 * Client → server frames: message, typing, read, ping, auth. A bad frame gets an error frame and
 * the connection stays usable; nothing a client sends can crash or block the instance.
 */
@ApplicationScoped
public class InboundFrames {

    @Inject
    Frames frames;

    @Inject
    GatewayConfig config;

    @Inject
    ChatApiClient chatApi;

    @Inject
    SignalPublisher signals;

    @Inject
    TokenVerifier verifier;

    public void handle(ClientConnection client, String text) {
        client.heard();
        if (text.length() > config.limits().maxFrameBytes()
                || text.getBytes(StandardCharsets.UTF_8).length > config.limits().maxFrameBytes()) {
            client.deliverSignal(frames.error("frame_too_large",
                    "Frames are limited to " + config.limits().maxFrameBytes() + " bytes.", null));
            return;
        }
        if (!client.admitInbound()) {
            client.deliverSignal(frames.error("rate_limited", "Too many frames; slow down.", null));
            return;
        }
        JsonNode frame = frames.parse(text);
        if (frame == null) {
            client.deliverSignal(frames.error("malformed_frame", "A frame is a JSON object with a type.", null));
            return;
        }
        String type = frame.path("type").asText("");
        switch (type) {
            case "ping" -> client.deliverSignal(frames.frame("pong").toString());
            case "auth" -> auth(client, frame);
            case "message", "typing", "read" -> {
                if (client instanceof ClientSession session) {
                    switch (type) {
                        case "message" -> message(session, frame);
                        case "typing" -> typing(session, frame);
                        default -> read(session, frame);
                    }
                } else {
                    client.deliverSignal(frames.error("unsupported_frame",
                            "The dashboard only receives; send messages on a session socket or over REST.",
                            clientMessageId(frame)));
                }
            }
            default -> client.deliverSignal(frames.error("unknown_type", "Unknown frame type '" + abbreviate(type)
                    + "'; expected message, typing, read, ping or auth.", null));
        }
    }

    private void auth(ClientConnection client, JsonNode frame) {
        if (!client.refresh(verifier.verify(frame.path("token").asText(null)))) {
            client.deliverSignal(frames.error("invalid_token",
                    "The token is not valid or belongs to another user; the connection keeps its current token.",
                    null));
        }
    }

    private void message(ClientSession session, JsonNode frame) {
        String clientMessageId = clientMessageId(frame);
        JsonNode content = frame.get("content");
        if (content == null || !content.isTextual()) {
            session.deliverSignal(frames.error("invalid_message", "content must be a string.", clientMessageId));
            return;
        }
        chatApi.postMessage(session.caller(), session.sessionId(), content.asText(), clientMessageId)
                .subscribe().with(answer -> {
                    if (answer.ok()) {
                        JsonNode m = answer.body();
                        ObjectNode ack = frames.frame("message_ack");
                        ack.put("client_message_id", m.path("client_message_id").asText(clientMessageId));
                        ack.put("message_id", m.path("id").asText());
                        ack.put("seq", m.path("seq").asLong());
                        ack.put("created_at", m.path("created_at").asText());
                        session.deliverSignal(ack.toString());
                    } else {
                        String problemType = answer.body().path("type").asText("");
                        String code = problemType.isEmpty() ? "http_" + answer.status()
                                : problemType.substring(problemType.lastIndexOf('/') + 1).replace('-', '_');
                        session.deliverSignal(frames.error(code,
                                answer.body().path("detail").asText("chat-api refused the message."), clientMessageId));
                    }
                }, failure -> session.deliverSignal(frames.error("unavailable",
                        "The message could not be stored right now; send it again with the same client_message_id.",
                        clientMessageId)));
    }

    private void typing(ClientSession session, JsonNode frame) {
        JsonNode isTyping = frame.get("is_typing");
        if (isTyping == null || !isTyping.isBoolean()) {
            session.deliverSignal(frames.error("invalid_typing", "is_typing must be true or false.", null));
            return;
        }
        ObjectNode signal = signals.signal("typing", session.session());
        signal.put("connection_id", session.connectionId()).put("user_id", session.caller().userId())
                .put("role", session.caller().participantRole()).put("is_typing", isTyping.asBoolean());
        signals.publish(session.session(), signal);
    }

    private void read(ClientSession session, JsonNode frame) {
        JsonNode upTo = frame.get("up_to_seq");
        if (upTo == null || !upTo.canConvertToLong() || upTo.asLong() < 0) {
            session.deliverSignal(frames.error("invalid_read", "up_to_seq must be a seq number.", null));
            return;
        }
        ObjectNode signal = signals.signal("read", session.session());
        signal.put("connection_id", session.connectionId()).put("user_id", session.caller().userId())
                .put("role", session.caller().participantRole()).put("up_to_seq", upTo.asLong());
        signals.publish(session.session(), signal);
    }

    private static String clientMessageId(JsonNode frame) {
        JsonNode id = frame.get("client_message_id");
        return id != null && id.isTextual() ? abbreviate(id.asText()) : null;
    }

    private static String abbreviate(String s) {
        return s.length() > 128 ? s.substring(0, 128) : s;
    }
}
