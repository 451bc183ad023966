package com.parley.chat.gateway.messaging;

import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;

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
     * One poll's records, in order, on the {@link EventStream}'s thread: one fan-out task per event
     * loop for the whole batch. An event that carries a trace context is fanned out on its own,
     * inside its span.
     */
    public void onEvents(ConsumerRecords<String, String> records) {
        List<EventFrame> batch = new ArrayList<>(records.count());
        for (ConsumerRecord<String, String> record : records) {
            EventFrame frame = toFrame(record);
            if (frame == null) {
                continue;
            }
            recent.add(frame); // before the fan-out: a client registering meanwhile finds it in one or the other
            if (tracing.traced(record)) {
                publish(batch);
                tracing.deliver(record, frame, () -> hub.publish(frame));
            } else {
                batch.add(frame);
            }
            if ("message_created".equals(frame.type())) {
                stats.messageCreated(frame.tenantId());
            } else if ("session_claimed".equals(frame.type()) || "session_status".equals(frame.type())) {
                operators.claimsChanged(frame.tenantId()); // who holds how many open sessions may have moved
            }
        }
        publish(batch);
    }

    private void publish(List<EventFrame> batch) {
        if (!batch.isEmpty()) {
            hub.publish(batch);
            batch.clear();
        }
    }

    private EventFrame toFrame(ConsumerRecord<String, String> record) {
        JsonNode event = frames.parse(record.value());
        EventFrame frame = event == null ? null : frames.fromEvent(event);
        if (frame == null) {
            Log.warnf("skipping a record that is not a known session event (partition %d, offset %d)",
                    record.partition(), record.offset());
        }
        return frame;
    }
}
