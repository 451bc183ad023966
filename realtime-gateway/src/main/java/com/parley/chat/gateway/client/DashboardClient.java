package com.parley.chat.gateway.client;

import java.util.LinkedHashMap;
import java.util.Map;

import com.parley.chat.gateway.auth.Caller;
import com.parley.chat.gateway.protocol.EventFrame;

/**
 * A staff dashboard: every event of the tenant, live. It drops a seq it already wrote for a
 * session (Kafka may deliver twice); it loads the session list over REST when it connects.
 */
public final class DashboardClient extends ClientConnection {

    private static final int TRACKED_SESSIONS = 10_000;

    private final Map<String, Long> lastSeqBySession = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
            return size() > TRACKED_SESSIONS;
        }
    };

    public DashboardClient(String connectionId, Caller caller, Transport transport, ClientContext context) {
        super(connectionId, caller, transport, context);
    }

    @Override
    public synchronized void deliver(EventFrame event) {
        Long last = lastSeqBySession.get(event.sessionId());
        if (last != null && event.seq() <= last) {
            return;
        }
        lastSeqBySession.put(event.sessionId(), event.seq());
        write(event.frame(), event.seq(), event.occurredAt());
    }
}
