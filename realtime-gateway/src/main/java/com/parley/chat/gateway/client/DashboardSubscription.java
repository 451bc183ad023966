package com.parley.chat.gateway.client;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import com.parley.chat.gateway.protocol.Channel;
import com.parley.chat.gateway.protocol.EventFrame;
import com.parley.chat.gateway.protocol.Frames;
import com.parley.chat.gateway.protocol.SessionKey;
import com.parley.chat.gateway.recovery.SessionRecovery;

/**
 * Staff's {@code dashboard} channel: every event of the tenant, live, each (session, seq) once.
 * A dashboard that reconnects names the sessions it shows with the last seq it has of each; those
 * sessions are replayed from there (window of recent events or history) and then continue live in
 * seq order, as a session channel would. Sessions it did not name start with their next live event.
 */
public final class DashboardSubscription extends Subscription {

    private static final int TRACKED_SESSIONS = 10_000;

    private final Map<String, Long> lastSeqBySession = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
            return size() > TRACKED_SESSIONS;
        }
    };
    private final Map<String, SessionRecovery> recovering = new ConcurrentHashMap<>();
    private final Frames frames;

    public DashboardSubscription(ClientConnection connection) {
        super(connection, Channel.DASHBOARD);
        this.frames = null;
    }

    /** @param resumeFrom the sessions the dashboard shows, with the last seq it has of each */
    public DashboardSubscription(ClientConnection connection, ClientContext context, Map<String, Long> resumeFrom) {
        super(connection, Channel.DASHBOARD);
        this.frames = context.frames();
        resumeFrom.forEach((sessionId, seq) -> {
            SessionKey session = new SessionKey(connection.caller().tenantId(), sessionId);
            recovering.put(sessionId, context.recoveries().create(connection.caller(), session, seq,
                    new Replay(sessionId)));
        });
    }

    /** Begins the replays; call once the subscription is registered with the hub (live events are held). */
    public void start() {
        recovering.values().forEach(SessionRecovery::start);
    }

    public int replaying() {
        return recovering.size();
    }

    @Override
    public void deliver(EventFrame event) {
        if (ended()) {
            return;
        }
        SessionRecovery recovery = recovering.get(event.sessionId());
        if (recovery != null) {
            recovery.onLive(event);
        } else {
            writeOnce(event);
        }
    }

    private synchronized void writeOnce(EventFrame event) {
        Long last = lastSeqBySession.get(event.sessionId());
        if (last != null && event.seq() <= last) {
            return;
        }
        lastSeqBySession.put(event.sessionId(), event.seq());
        connection.write(event.dashboardFrame(), event.dashboardFrameBytes(), event.seq());
    }

    @Override
    public void end() {
        super.end();
        recovering.values().forEach(SessionRecovery::stop);
    }

    /** One named session's replay, written on the dashboard channel. */
    private final class Replay implements SessionRecovery.Listener {
        private final String sessionId;

        Replay(String sessionId) {
            this.sessionId = sessionId;
        }

        @Override
        public void started(long lastSeq, long resumeFrom) {
        }

        @Override
        public void write(List<EventFrame> events) {
            events.forEach(DashboardSubscription.this::writeOnce);
        }

        @Override
        public void resyncRequired(long seq) {
            connection.send(frames.frame("resync_required", channel).put("session_id", sessionId)
                    .put("last_seq", seq).toString());
        }

        @Override
        public void failed(boolean notFound) {
            // gone, or history away: from now on this session's events pass live, and the page
            // is told to reload it
            SessionRecovery recovery = recovering.remove(sessionId);
            if (recovery != null && !notFound) {
                resyncRequired(0);
            }
        }
    }
}
