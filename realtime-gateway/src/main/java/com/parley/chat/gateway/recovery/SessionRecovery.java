package com.parley.chat.gateway.recovery;

import java.time.Duration;
import java.util.List;

import com.parley.chat.gateway.auth.Caller;
import com.parley.chat.gateway.config.GatewayConfig;
import com.parley.chat.gateway.metrics.GatewayMetrics;
import com.parley.chat.gateway.protocol.EventFrame;
import com.parley.chat.gateway.protocol.SessionKey;

import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;

/**
 * Brings one subscription to a session up to date and keeps it there. It first replays what the
 * client missed after its last seq (from this instance's {@link RecentEvents} when they cover the
 * gap, else from history) while live events wait, then passes live events on in seq order; a live
 * event ahead of the next seq makes it fetch the gap. The seq rules are {@link ResumeCursor}'s;
 * this class adds the fetching, its retries with backoff, and the resync of a client too far behind.
 *
 * <p>Thread-safe: live events come from event loops, history pages from the HTTP client.
 */
public final class SessionRecovery {

    /** What the recovery tells its subscription, always in this order: started, then writes. */
    public interface Listener {

        /** The first answer arrived: the newest seq of the session as far as it is known. Called once. */
        void started(long lastSeq, long resumeFrom);

        /** Events to write now, in seq order, each exactly once. */
        void write(List<EventFrame> events);

        /** The client is too far behind for a replay: it reloads over REST and continues after {@code seq}. */
        void resyncRequired(long seq);

        /**
         * The replay cannot go on: the session is not there for this caller ({@code notFound}), or
         * history stayed unavailable (the client should try again later).
         */
        void failed(boolean notFound);
    }

    private static final int MAX_FETCH_ATTEMPTS = 5;

    private final Caller caller;
    private final SessionKey session;
    private final long resumeFrom;
    private final ResumeCursor cursor;
    private final Listener listener;
    private final HistorySource history;
    private final RecentEvents recent;
    private final GatewayConfig.Recovery config;
    private final GatewayMetrics metrics;
    private boolean started;
    private boolean stopped;
    private int fetchFailures;

    SessionRecovery(Caller caller, SessionKey session, long resumeFrom, Listener listener, HistorySource history,
            RecentEvents recent, GatewayConfig.Recovery config, GatewayMetrics metrics) {
        this.caller = caller;
        this.session = session;
        this.resumeFrom = resumeFrom;
        this.listener = listener;
        this.history = history;
        this.recent = recent;
        this.config = config;
        this.metrics = metrics;
        this.cursor = new ResumeCursor(resumeFrom, config.maxReplayEvents());
    }

    /**
     * Begins the replay; call once the subscription is registered for live events (they are held
     * meanwhile). From the window of recent events when it covers the gap, else from history.
     */
    public void start() {
        metrics.recovery();
        RecentEvents.Slice slice = recent.after(session, resumeFrom);
        if (slice != null) {
            onEvents(slice.events(), false, slice.lastSeq());
        } else {
            fetch(resumeFrom);
        }
    }

    /** A live event of the session, from the hub. */
    public synchronized void onLive(EventFrame event) {
        if (stopped) {
            return;
        }
        boolean wasFetching = cursor.fetching();
        write(cursor.onLive(event));
        if (cursor.overflowing()) {
            resync(cursor.lastSent() + config.maxReplayEvents());
        } else if (!wasFetching && cursor.fetching()) {
            metrics.recovery();
            fetch(cursor.lastSent());
        }
    }

    /** Looks in history for events after the last one written (the live stream may have skipped some). */
    public synchronized void catchUp() {
        if (!stopped && cursor.startFetching()) {
            metrics.recovery();
            fetch(cursor.lastSent());
        }
    }

    /** The subscription ended: nothing more is written or fetched. */
    public synchronized void stop() {
        stopped = true;
    }

    public synchronized long lastSent() {
        return cursor.lastSent();
    }

    private void fetch(long afterSeq) {
        history.history(caller, session, afterSeq, config.pageSize())
                .subscribe().with(page -> onEvents(page.events(), page.hasMore(), page.lastSeq()),
                        this::onFetchFailure);
    }

    private synchronized void onEvents(List<EventFrame> events, boolean hasMore, long lastSeq) {
        if (stopped) {
            return;
        }
        fetchFailures = 0;
        if (!started) {
            started = true;
            listener.started(lastSeq, resumeFrom);
            if (resumeFrom > lastSeq && lastSeq > 0) {
                // a last_seq from the future (another session's, a bug): every later event would be
                // dropped as a duplicate; the client reloads and continues after the real last seq
                cursor.restartAt(lastSeq);
                listener.resyncRequired(lastSeq);
            }
            if (lastSeq - cursor.lastSent() > config.maxReplayEvents()) {
                resync(lastSeq);
                return;
            }
        }
        write(cursor.onHistory(events));
        if (hasMore) {
            fetch(cursor.lastSent());
            return;
        }
        write(cursor.onHistoryDone());
        if (cursor.fetching()) {
            // a live event is ahead of what history had: its predecessors are committed but not yet
            // readable or not yet delivered; look again shortly
            later(Duration.ofMillis(50));
        }
    }

    private synchronized void fetchIfStillNeeded() {
        if (!stopped && cursor.fetching()) {
            fetch(cursor.lastSent());
        }
    }

    private synchronized void onFetchFailure(Throwable failure) {
        if (stopped) {
            return;
        }
        if (failure instanceof HistorySource.NotFound) {
            stopped = true;
            listener.failed(true);
            return;
        }
        if (++fetchFailures >= MAX_FETCH_ATTEMPTS) {
            Log.warnf("history of session %s unavailable: %s", session.sessionId(), failure.getMessage());
            stopped = true;
            listener.failed(false);
            return;
        }
        later(Duration.ofMillis(100L << fetchFailures));
    }

    private void later(Duration delay) {
        Uni.createFrom().voidItem().onItem().delayIt().by(delay).subscribe().with(ignored -> fetchIfStillNeeded());
    }

    private void resync(long seq) {
        metrics.resync();
        cursor.skipTo(seq);
        listener.resyncRequired(seq);
        write(cursor.onHistoryDone());
    }

    private void write(List<EventFrame> events) {
        if (!events.isEmpty()) {
            listener.write(events);
        }
    }
}
