package com.parley.chat.gateway.client;

import java.util.List;
import java.util.function.Supplier;

import com.parley.chat.gateway.auth.Caller;
import com.parley.chat.gateway.protocol.Disconnect;
import com.parley.chat.gateway.protocol.EventFrame;
import com.parley.chat.gateway.protocol.Frames;
import com.parley.chat.gateway.protocol.SessionKey;
import com.parley.chat.gateway.recovery.SessionRecovery;

/**
 * A client subscribed to one session (a widget or a staff member's open chat, over WebSocket or
 * SSE). Its {@link SessionRecovery} replays what it missed and orders live events; this class
 * turns what the recovery decides into frames: {@code connected} (followed by the session's
 * presence), the events, {@code resync_required}.
 */
public final class ClientSession extends ClientConnection implements SessionRecovery.Listener {

    private final SessionKey session;
    private final Frames frames;
    private final Supplier<String> presenceFrame;
    private final SessionRecovery recovery;

    /**
     * @param lastSeq the client has every event up to this seq
     * @param presenceFrame the session's presence, sent right after {@code connected}
     */
    public ClientSession(String connectionId, Caller caller, SessionKey session, long lastSeq, Transport transport,
            ClientContext context, Supplier<String> presenceFrame) {
        super(connectionId, caller, transport, context);
        this.session = session;
        this.frames = context.frames();
        this.presenceFrame = presenceFrame;
        this.recovery = context.recoveries().create(caller, session, lastSeq, this);
    }

    public SessionKey session() {
        return session;
    }

    public String sessionId() {
        return session.sessionId();
    }

    /** Begins the replay; call once the client is registered with the hub (live events are held). */
    public void start() {
        recovery.start();
    }

    @Override
    public void deliver(EventFrame event) {
        if (!isClosed()) {
            recovery.onLive(event);
        }
    }

    /** Looks in history for events after the last one written (the live stream may have skipped some). */
    public void catchUp() {
        if (!isClosed()) {
            recovery.catchUp();
        }
    }

    @Override
    public void started(long lastSeq, long resumeFrom) {
        deliverSignal(frames.frame("connected").put("session_id", session.sessionId())
                .put("user_id", caller().userId()).put("role", caller().participantRole())
                .put("connection_id", connectionId).put("last_seq", lastSeq).put("resume_from", resumeFrom)
                .toString());
        deliverSignal(presenceFrame.get());
    }

    @Override
    public void write(List<EventFrame> events) {
        for (EventFrame event : events) {
            write(event.frame(), event.seq(), event.occurredAt());
        }
    }

    @Override
    public void resyncRequired(long seq) {
        deliverSignal(frames.frame("resync_required").put("session_id", session.sessionId()).put("last_seq", seq)
                .toString());
    }

    @Override
    public void failed() {
        close(Disconnect.HISTORY_UNAVAILABLE);
    }

    @Override
    protected void ended() {
        recovery.stop();
    }
}
