package com.parley.chat.gateway.signal;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.parley.chat.gateway.config.GatewayConfig;
import com.parley.chat.gateway.protocol.Frames;
import com.parley.chat.gateway.protocol.SessionKey;

import io.quarkus.logging.Log;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;

/**
 * Publishes ephemeral signals (typing, read receipts, presence) on chat.signals for every
 * instance, this one included; never stored. messaging.SignalConsumer reads them back.
 */
@ApplicationScoped
public class SignalPublisher {

    @Inject
    @Channel("signals-out")
    @OnOverflow(value = OnOverflow.Strategy.BUFFER, bufferSize = 8192)
    Emitter<String> out;

    private final Frames frames;
    private final GatewayConfig config;

    @Inject
    public SignalPublisher(Frames frames, GatewayConfig config) {
        this.frames = frames;
        this.config = config;
    }

    /** A signal of this instance about a session, to fill in and {@link #publish}. */
    public ObjectNode signal(String kind, SessionKey session) {
        return frames.frame(kind).put("tenant_id", session.tenantId()).put("session_id", session.sessionId())
                .put("instance_id", config.instanceId());
    }

    public void publish(SessionKey session, ObjectNode signal) {
        try {
            out.send(Message.of(signal.toString())
                    .addMetadata(OutgoingKafkaRecordMetadata.<String>builder().withKey(session.toString()).build()));
        } catch (RuntimeException e) {
            // signals are ephemeral (presence is re-announced every few seconds): never fail a caller
            Log.debugf("signal not sent: %s", e.getMessage());
        }
    }
}
