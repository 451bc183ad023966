package com.parley.chat.gateway.messaging;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.reactive.messaging.Incoming;

import com.fasterxml.jackson.databind.JsonNode;
import com.parley.chat.gateway.hub.SessionHub;
import com.parley.chat.gateway.presence.OperatorRoster;
import com.parley.chat.gateway.presence.PresenceTracker;
import com.parley.chat.gateway.presence.Typists;
import com.parley.chat.gateway.protocol.Channel;
import com.parley.chat.gateway.protocol.Frames;
import com.parley.chat.gateway.protocol.SessionKey;
import com.parley.chat.gateway.stats.TenantStats;

/**
 * Signals every instance published on chat.signals: typing and read receipts go to the session's
 * local sockets (except the one they came from), typing also to the typists a new subscriber is
 * told of, presence announcements to the presence tracker.
 */
@ApplicationScoped
public class SignalConsumer {

    @Inject
    Frames frames;

    @Inject
    SessionHub hub;

    @Inject
    PresenceTracker presence;

    @Inject
    OperatorRoster operators;

    @Inject
    Typists typists;

    @Inject
    TenantStats stats;

    @Incoming("signals-in")
    public void onSignal(String value) {
        JsonNode signal = frames.parse(value);
        if (signal == null || !signal.hasNonNull("tenant_id") || !signal.hasNonNull("session_id")) {
            return;
        }
        SessionKey session = new SessionKey(signal.get("tenant_id").asText(), signal.get("session_id").asText());
        String origin = signal.path("connection_id").asText(null);
        Channel channel = Channel.session(session.sessionId());
        switch (signal.path("type").asText()) {
            case "typing" -> {
                boolean isTyping = signal.path("is_typing").asBoolean();
                String userId = signal.path("user_id").asText();
                String frame = frames.frame("typing_indicator", channel).put("session_id", session.sessionId())
                        .put("user_id", userId).put("role", signal.path("role").asText())
                        .put("is_typing", isTyping).toString();
                typists.typing(session, userId, isTyping, frame);
                hub.signal(session, frame, origin);
            }
            case "read" -> hub.signal(session, frames.frame("read_receipt", channel)
                    .put("session_id", session.sessionId())
                    .put("user_id", signal.path("user_id").asText())
                    .put("role", signal.path("role").asText())
                    .put("up_to_seq", signal.path("up_to_seq").asLong()).toString(), origin);
            case "presence" -> presence.onAnnouncement(session, signal);
            case "operators" -> operators.onAnnouncement(signal);
            case "connections" -> stats.onAnnouncement(signal);
            default -> {
                // a newer instance may send kinds this one does not know yet
            }
        }
    }
}
