package com.parley.chat.gateway.client;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.parley.chat.gateway.protocol.Channel;
import com.parley.chat.gateway.protocol.EventFrame;
import com.parley.chat.gateway.protocol.Frames;
import com.parley.chat.gateway.protocol.SessionKey;
import com.parley.chat.gateway.protocol.WireSize;
import com.parley.chat.gateway.recovery.SessionRecovery;

/**
 * A connection's subscription to one session (a widget, or a staff member's open chat). Its
 * {@link SessionRecovery} replays what the client missed and orders live events; this class turns
 * what the recovery decides into frames: {@code subscribed} (or, on the one-session shorthand
 * socket, {@code connected}) followed by the session's presence, the events, {@code resync_required}.
 */
public final class SessionSubscription extends Subscription implements SessionRecovery.Listener {

    /** What the subscription tells the coordinator when it cannot go on. */
    public interface Failure {
        void failed(SessionSubscription subscription, boolean notFound);
    }

    private final SessionKey session;
    private final Frames frames;
    private final Supplier<Present> present;
    /** The presence frame written last (the pushed ones are shared by every subscriber of the session). */
    private String presence;
    /** The greeting went out: the channel's signals may follow it (before, they would precede it). */
    private volatile boolean greeted;
    private final boolean greetAsConnection;
    private final Failure onFailure;
    private final SessionRecovery recovery;
    /** The highest {@code up_to_seq} this subscription reported read (-1: none yet). */
    private final AtomicLong readUpTo = new AtomicLong(-1);
    private Boolean typing; // the last typing state that went out to the others; null before the first
    /** The client's messages to the session, to chat-api one at a time (made at the first). */
    private InOrder posts;
    private final int messagesWaiting;
    private long typingSaidAtNanos;
    private final long typingRepeatNanos;

    /**
     * Who is in the session (a presence frame), who is typing in it now (typing_indicator frames)
     * and, for a customer, whether support is there ({@code available}, {@code busy}, {@code away}; null
     * for staff, or while not known yet): what a subscriber is told right after its greeting.
     */
    public record Present(String presence, List<String> typing, String support) {
    }

    /**
     * @param lastSeq the client has every event up to this seq
     * @param present the session's presence and typists, sent right after the greeting
     * @param greetAsConnection the one-session socket greets with {@code connected}, a channel with {@code subscribed}
     */
    public SessionSubscription(ClientConnection connection, SessionKey session, long lastSeq, ClientContext context,
            Supplier<Present> present, boolean greetAsConnection, Failure onFailure) {
        super(connection, Channel.session(session.sessionId()));
        this.session = session;
        this.frames = context.frames();
        this.typingRepeatNanos = context.limits().typingRepeat().toNanos();
        this.messagesWaiting = context.limits().messagesWaiting();
        this.present = present;
        this.greetAsConnection = greetAsConnection;
        this.onFailure = onFailure;
        this.recovery = context.recoveries().create(connection.caller(), session, lastSeq, this);
    }

    public SessionKey session() {
        return session;
    }

    /** The highest seq written to the client without a gap. */
    public long lastSent() {
        return recovery.lastSent();
    }

    /**
     * Takes a client's {@code read} up to {@code upToSeq}: true when it moves this subscription's read
     * position on, false for one at or behind it (a repeat, a stale one), which is no news to anyone.
     */
    public boolean advanceReadTo(long upToSeq) {
        return upToSeq > readUpTo.getAndAccumulate(upToSeq, Math::max);
    }

    /**
     * Takes a client's {@code typing}: true when it is news to the others, a change or "still
     * typing" at least {@code limits.typing-repeat} after the last that went out (a refresh, which keeps
     * the typist shown); false for a repeat sooner than that or a second stop. A client that says
     * so on every keystroke costs the other participants one signal per interval, not one per key.
     */
    public synchronized boolean typingSays(boolean isTyping, long nowNanos) {
        boolean repeat = typing != null && typing == isTyping;
        if (repeat && (!isTyping || nowNanos - typingSaidAtNanos < typingRepeatNanos)) {
            return false;
        }
        typing = isTyping;
        typingSaidAtNanos = nowNanos;
        return true;
    }

    /** The client's messages to this session: each goes to chat-api once the one sent before it was answered. */
    public synchronized InOrder posts() {
        if (posts == null) {
            posts = new InOrder(messagesWaiting);
        }
        return posts;
    }

    /** True on the one-session shorthand socket, where the subscription is the connection. */
    public boolean greetsAsConnection() {
        return greetAsConnection;
    }

    /** Begins the replay; call once the subscription is registered with the hub (live events are held). */
    public void start() {
        recovery.start();
    }

    @Override
    public void deliver(EventFrame event) {
        if (!ended()) {
            recovery.onLive(event);
        }
    }

    /** Looks in history for events after the last one written (the live stream may have skipped some). */
    public void catchUp() {
        if (!ended()) {
            recovery.catchUp();
        }
    }

    @Override
    public void started(long lastSeq, long resumeFrom) {
        ObjectNode greeting = frames.frame(greetAsConnection ? "connected" : "subscribed", channel)
                .put("session_id", session.sessionId());
        if (greetAsConnection) {
            greeting.put("user_id", connection.caller().userId()).put("role", connection.caller().participantRole())
                    .put("connection_id", connection.connectionId());
            frames.expiry(greeting, connection.caller().expiresAt());
        }
        connection.send(greeting.put("last_seq", lastSeq).put("resume_from", resumeFrom).toString());
        greeted = true;
        Present now = present.get();
        deliverPresence(now.presence());
        now.typing().forEach(super::deliverSignal);
        if (now.support() != null) {
            super.deliverSignal(supportFrame(now.support()));
        }
    }

    /** What this customer is told of the tenant's support: {@code available}, {@code busy} or {@code away}. */
    public String supportFrame(String status) {
        return frames.frame("support_status", channel).put("session_id", session.sessionId()).put("status", status)
                .toString();
    }

    /**
     * Typing, read receipts: dropped until the greeting went out (while the replay waits for history),
     * so that {@code subscribed} or {@code connected} is the channel's first frame. They are of the
     * moment and never replayed; the presence and who is typing follow the greeting anyway.
     */
    @Override
    public void deliverSignal(String frame) {
        if (greeted) {
            super.deliverSignal(frame);
        }
    }

    /**
     * Who is in the session: written unless it is the list this subscriber was given last. Either
     * way the subscription keeps the frame it is handed: the pushed one is one string shared by every
     * subscriber of the session, while its greeting's was its own (a kilobyte with twenty people in
     * the chat, held per socket until the next change).
     */
    public void deliverPresence(String frame) {
        if (!greeted) {
            return;
        }
        boolean news = !frame.equals(presence);
        presence = frame;
        if (news) {
            super.deliverSignal(frame);
        }
    }

    @Override
    public void write(List<EventFrame> events) {
        for (EventFrame event : events) {
            connection.write(event.frame(), event.frameBytes(), event.seq());
        }
    }

    /**
     * Written with its seq like an event: it moves the client to {@code seq}, and an event stream gives
     * that position in its {@code id:}, so the EventSource that comes back is not told to resync again.
     */
    @Override
    public void resyncRequired(long seq) {
        String frame = frames.frame("resync_required", channel).put("session_id", session.sessionId())
                .put("last_seq", seq).toString();
        connection.write(frame, WireSize.of(frame), seq);
    }

    @Override
    public void failed(boolean notFound) {
        onFailure.failed(this, notFound);
    }

    @Override
    public void end() {
        super.end();
        recovery.stop();
    }
}
