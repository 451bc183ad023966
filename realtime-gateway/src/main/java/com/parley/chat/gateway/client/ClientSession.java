package com.parley.chat.gateway.client;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

import com.parley.chat.gateway.auth.Caller;
import com.parley.chat.gateway.config.GatewayConfig;
import com.parley.chat.gateway.hub.EventFrame;
import com.parley.chat.gateway.hub.Frames;
import com.parley.chat.gateway.hub.GatewayMetrics;
import com.parley.chat.gateway.hub.SessionHub;
import com.parley.chat.gateway.recovery.ChatApiClient;
import com.parley.chat.gateway.recovery.ChatApiClient.HistoryPage;
import com.parley.chat.gateway.recovery.RecentEvents;
import com.parley.chat.gateway.recovery.ResumeCursor;

import io.quarkus.logging.Log;

/**
 * A client subscribed to one session (a widget or a staff member's open chat, over WebSocket or
 * SSE). It first replays history after the client's last seq, holding live events meanwhile, then
 * writes live events in seq order; a gap makes it fetch history again. Every event exactly once.
 */
public final class ClientSession extends ClientConnection {

    private static final int MAX_FETCH_ATTEMPTS = 5;

    private final String sessionId;
    private final ChatApiClient chatApi;
    private final RecentEvents recentEvents;
    private final Frames frames;
    private final ResumeCursor cursor;
    private final long resumeFrom;
    private final Runnable afterConnected;
    private boolean connectedSent;
    private int fetchFailures;

    public ClientSession(String connectionId, Caller caller, String sessionId, long lastSeq, Transport transport,
            GatewayConfig config, GatewayMetrics metrics, ChatApiClient chatApi, RecentEvents recentEvents,
            Frames frames, Runnable afterConnected) {
        super(connectionId, caller, transport, config, metrics);
        this.afterConnected = afterConnected;
        this.sessionId = sessionId;
        this.chatApi = chatApi;
        this.recentEvents = recentEvents;
        this.frames = frames;
        this.resumeFrom = lastSeq;
        this.cursor = new ResumeCursor(lastSeq, config.recovery().maxReplayEvents());
    }

    public String sessionId() {
        return sessionId;
    }

    /**
     * Begins the replay; call once the client is registered with the hub (live events are held).
     * From this instance's window of recent events when it covers the gap, else from history.
     */
    public void start() {
        metrics.recovery();
        RecentEvents.Slice recent = recentEvents.after(SessionHub.key(caller().tenantId(), sessionId), resumeFrom);
        if (recent != null) {
            onEvents(recent.events(), false, recent.lastSeq());
        } else {
            fetch(resumeFrom);
        }
    }

    @Override
    public synchronized void deliver(EventFrame event) {
        if (isClosed()) {
            return;
        }
        boolean wasFetching = cursor.fetching();
        writeAll(cursor.onLive(event));
        if (cursor.overflowing()) {
            resync();
        } else if (!wasFetching && cursor.fetching()) {
            metrics.recovery();
            fetch(cursor.lastSent());
        }
    }

    /** Looks in history for events after the last one written (the live stream may have skipped some). */
    public synchronized void catchUp() {
        if (!isClosed() && cursor.startFetching()) {
            metrics.recovery();
            fetch(cursor.lastSent());
        }
    }

    private void fetch(long afterSeq) {
        chatApi.history(caller(), sessionId, afterSeq, config.recovery().pageSize())
                .subscribe().with(this::onPage, this::onFetchFailure);
    }

    private void onPage(HistoryPage page) {
        onEvents(page.events().stream().map(frames::fromEvent).filter(Objects::nonNull).toList(), page.hasMore(),
                page.lastSeq());
    }

    private synchronized void onEvents(List<EventFrame> events, boolean hasMore, long lastSeq) {
        if (isClosed()) {
            return;
        }
        fetchFailures = 0;
        if (!connectedSent) {
            connectedSent = true;
            deliverSignal(frames.frame("connected").put("session_id", sessionId).put("user_id", caller().userId())
                    .put("role", caller().participantRole()).put("connection_id", connectionId)
                    .put("last_seq", lastSeq).put("resume_from", resumeFrom).toString());
            afterConnected.run();
            if (lastSeq - cursor.lastSent() > config.recovery().maxReplayEvents()) {
                resync(lastSeq);
                return;
            }
        }
        writeAll(cursor.onHistory(events));
        if (hasMore) {
            fetch(cursor.lastSent());
            return;
        }
        writeAll(cursor.onHistoryDone());
        if (cursor.fetching()) {
            // a live event is ahead of what history had: its predecessors are committed but not yet
            // readable or not yet delivered; look again shortly
            io.smallrye.mutiny.Uni.createFrom().voidItem().onItem().delayIt().by(Duration.ofMillis(50))
                    .subscribe().with(ignored -> fetchIfStillNeeded());
        }
    }

    private synchronized void fetchIfStillNeeded() {
        if (!isClosed() && cursor.fetching()) {
            fetch(cursor.lastSent());
        }
    }

    private synchronized void onFetchFailure(Throwable failure) {
        if (isClosed()) {
            return;
        }
        if (++fetchFailures >= MAX_FETCH_ATTEMPTS) {
            Log.warnf("history of session %s unavailable for %s: %s", sessionId, connectionId, failure.getMessage());
            close(CloseCodes.TRY_AGAIN_LATER, "history unavailable");
            return;
        }
        long delayMs = 100L << fetchFailures;
        io.smallrye.mutiny.Uni.createFrom().voidItem().onItem().delayIt().by(Duration.ofMillis(delayMs))
                .subscribe().with(ignored -> fetchIfStillNeeded());
    }

    private void resync() {
        resync(cursor.lastSent() + config.recovery().maxReplayEvents());
    }

    /** Too far behind for a replay: the client reloads from REST and continues after {@code seq}. */
    private void resync(long seq) {
        metrics.resync();
        cursor.skipTo(seq);
        deliverSignal(frames.frame("resync_required").put("session_id", sessionId).put("last_seq", seq).toString());
        writeAll(cursor.onHistoryDone());
    }

    private void writeAll(List<EventFrame> events) {
        for (EventFrame event : events) {
            write(event.frame(), event.seq(), event.occurredAt());
        }
    }
}
