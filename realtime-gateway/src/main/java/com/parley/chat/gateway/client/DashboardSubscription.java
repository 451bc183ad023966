package com.parley.chat.gateway.client;

import java.util.LinkedHashMap;
import java.util.Map;

import com.parley.chat.gateway.protocol.Channel;
import com.parley.chat.gateway.protocol.EventFrame;

/**
 * Staff's {@code dashboard} channel: every event of the tenant, live. It drops a seq it already
 * wrote for a session (Kafka may deliver twice).
 */
public final class DashboardSubscription extends Subscription {

    private static final int TRACKED_SESSIONS = 10_000;

    private final Map<String, Long> lastSeqBySession = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
            return size() > TRACKED_SESSIONS;
        }
    };

    public DashboardSubscription(ClientConnection connection) {
        super(connection, Channel.DASHBOARD);
    }

    @Override
    public synchronized void deliver(EventFrame event) {
        if (ended()) {
            return;
        }
        Long last = lastSeqBySession.get(event.sessionId());
        if (last != null && event.seq() <= last) {
            return;
        }
        lastSeqBySession.put(event.sessionId(), event.seq());
        connection.write(event.dashboardFrame(), event.seq(), event.occurredAt());
    }
}
