package com.parley.chat.gateway.recovery;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import com.parley.chat.gateway.config.GatewayConfig;
import com.parley.chat.gateway.protocol.EventFrame;
import com.parley.chat.gateway.protocol.Frames;
import com.parley.chat.gateway.protocol.SessionKey;

import io.quarkus.scheduler.Scheduled;

/**
 * The last events of every session as this instance read them from Kafka, without gaps, so that
 * a client that reconnects a moment after it left (an instance drained, a network blip) resumes
 * from here instead of asking chat-api's history: a reconnect storm then costs chat-api nothing
 * but the access checks. Anything the window does not cover goes to history as before.
 * Unit-tested in RecentEventsTest.
 */
@ApplicationScoped
public class RecentEvents {

    /** Events after a seq, and the newest seq this instance has read for the session. */
    public record Slice(List<EventFrame> events, long lastSeq) {
    }

    private static final class Window {
        final ArrayDeque<EventFrame> events = new ArrayDeque<>();
        volatile long touchedNanos = System.nanoTime();
    }

    private final GatewayConfig config;
    private final Frames frames;

    private final ConcurrentHashMap<SessionKey, Window> sessions = new ConcurrentHashMap<>();

    @Inject
    public RecentEvents(GatewayConfig config, Frames frames) {
        this.config = config;
        this.frames = frames;
    }

    /** Called for every event before it is fanned out, so a client registering meanwhile misses nothing. */
    public void add(EventFrame event) {
        int size = config.recovery().recentEvents();
        if (size <= 0) {
            return;
        }
        Window window = sessions.computeIfAbsent(event.sessionKey(), k -> new Window());
        synchronized (window) {
            window.touchedNanos = System.nanoTime();
            EventFrame last = window.events.peekLast();
            if (last != null && event.seq() <= last.seq()) {
                return; // Kafka delivered it again
            }
            if (last != null && event.seq() != last.seq() + 1) {
                window.events.clear(); // a gap in what this instance read: start again from here
            }
            if ("message_deleted".equals(event.type())) {
                redact(window, frames.messageId(event));
            }
            window.events.addLast(event);
            while (window.events.size() > size) {
                window.events.pollFirst();
            }
        }
    }

    /**
     * The events after {@code seq} when this instance holds every one of them; null when the
     * window does not reach back that far (or the client claims more than this instance read).
     */
    public Slice after(SessionKey sessionKey, long seq) {
        Window window = sessions.get(sessionKey);
        if (window == null) {
            return null;
        }
        synchronized (window) {
            EventFrame first = window.events.peekFirst();
            EventFrame last = window.events.peekLast();
            if (first == null || seq + 1 < first.seq() || seq > last.seq()) {
                return null;
            }
            return new Slice(window.events.stream().filter(e -> e.seq() > seq).toList(), last.seq());
        }
    }

    /** Deleted means gone from every replay: the window keeps the message's place, not what it said. */
    private void redact(Window window, String messageId) {
        if (messageId == null) {
            return;
        }
        List<EventFrame> kept = new ArrayList<>(window.events);
        window.events.clear();
        for (EventFrame e : kept) {
            window.events.addLast("message_created".equals(e.type()) && messageId.equals(frames.messageId(e))
                    ? frames.redacted(e) : e);
        }
    }

    /** The stream may have skipped events (a consumer that rejoined at the latest offset). */
    public void clear() {
        sessions.clear();
    }

    @Scheduled(every = "60s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void expire() {
        long idle = config.recovery().recentIdle().toNanos();
        long now = System.nanoTime();
        sessions.values().removeIf(w -> now - w.touchedNanos > idle);
    }
}
