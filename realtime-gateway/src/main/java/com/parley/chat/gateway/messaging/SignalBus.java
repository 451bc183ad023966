package com.parley.chat.gateway.messaging;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.parley.chat.gateway.config.GatewayConfig;
import com.parley.chat.gateway.hub.Frames;
import com.parley.chat.gateway.hub.SessionHub;

import io.quarkus.logging.Log;

import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;

/**
 * Ephemeral signals between instances on chat.signals (typing, read receipts, presence): never
 * stored. Each instance publishes what its clients do and delivers what every instance published
 * to its own sockets.
 */
@ApplicationScoped
public class SignalBus {

    @Inject
    @Channel("signals-out")
    @OnOverflow(value = OnOverflow.Strategy.BUFFER, bufferSize = 8192)
    Emitter<String> out;

    @Inject
    Frames frames;

    @Inject
    SessionHub hub;

    @Inject
    PresenceTracker presence;

    @Inject
    GatewayConfig config;

    public ObjectNode signal(String kind, String tenantId, String sessionId) {
        return frames.frame(kind).put("tenant_id", tenantId).put("session_id", sessionId)
                .put("instance_id", config.instanceId());
    }

    public void publish(ObjectNode signal) {
        String key = signal.path("tenant_id").asText() + ":" + signal.path("session_id").asText();
        try {
            out.send(Message.of(signal.toString())
                    .addMetadata(OutgoingKafkaRecordMetadata.<String>builder().withKey(key).build()));
        } catch (RuntimeException e) {
            // signals are ephemeral (presence is re-announced every few seconds): never fail a caller
            Log.debugf("signal not sent: %s", e.getMessage());
        }
    }

    @Incoming("signals-in")
    public void onSignal(String value) {
        JsonNode signal = frames.parse(value);
        if (signal == null) {
            return;
        }
        String tenant = signal.path("tenant_id").asText();
        String session = signal.path("session_id").asText();
        String origin = signal.path("connection_id").asText(null);
        switch (signal.path("type").asText()) {
            case "typing" -> hub.signal(tenant, session, frames.frame("typing_indicator")
                    .put("session_id", session)
                    .put("user_id", signal.path("user_id").asText())
                    .put("role", signal.path("role").asText())
                    .put("is_typing", signal.path("is_typing").asBoolean()).toString(), origin);
            case "read" -> hub.signal(tenant, session, frames.frame("read_receipt")
                    .put("session_id", session)
                    .put("user_id", signal.path("user_id").asText())
                    .put("role", signal.path("role").asText())
                    .put("up_to_seq", signal.path("up_to_seq").asLong()).toString(), origin);
            case "presence" -> presence.onAnnouncement(signal);
            default -> {
                // a newer instance may send kinds this one does not know yet
            }
        }
    }
}
