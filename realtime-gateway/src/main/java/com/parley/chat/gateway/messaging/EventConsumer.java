package com.parley.chat.gateway.messaging;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;

import com.fasterxml.jackson.databind.JsonNode;
import com.parley.chat.gateway.hub.SessionHub;
import com.parley.chat.gateway.presence.OperatorRoster;
import com.parley.chat.gateway.stats.TenantStats;
import com.parley.chat.gateway.protocol.EventFrame;
import com.parley.chat.gateway.protocol.Frames;
import com.parley.chat.gateway.recovery.RecentEvents;

import io.quarkus.logging.Log;

/**
 * Every instance reads every session event (its own consumer group, from the latest offset) and
 * hands it to the hub. Clients never depend on this stream alone: a missed event is a gap that
 * their cursor fetches from chat-api's history.
 */
@ApplicationScoped
public class EventConsumer {

    @Inject
    Frames frames;

    @Inject
    SessionHub hub;

    @Inject
    OperatorRoster operators;

    @Inject
    TenantStats stats;

    @Inject
    RecentEvents recent;

    @Inject
    EventTracing tracing;

    /**
     * Runs on a worker thread, in order (the connector's default for this signature). On the event
     * loop (@NonBlocking) it cost 12-29 % less CPU per frame, but in two of eight benchmark runs
     * under load the last events of some sessions stayed in the connector until more arrived, so it
     * stays here (docs/performance.md).
     */
    @Incoming("message-events")
    public void onEvent(ConsumerRecord<String, String> record) {
        JsonNode event = frames.parse(record.value());
        EventFrame frame = event == null ? null : frames.fromEvent(event);
        if (frame == null) {
            Log.warnf("skipping a record that is not a known session event (partition %d, offset %d)",
                    record.partition(), record.offset());
            return;
        }
        recent.add(frame); // before the fan-out: a client registering meanwhile finds it in one or the other
        tracing.deliver(record, frame, () -> hub.publish(frame));
        if ("message_created".equals(frame.type())) {
            stats.messageCreated(frame.tenantId());
        } else if ("session_claimed".equals(frame.type()) || "session_status".equals(frame.type())) {
            operators.claimsChanged(frame.tenantId()); // who holds how many open sessions may have moved
        }
    }
}
