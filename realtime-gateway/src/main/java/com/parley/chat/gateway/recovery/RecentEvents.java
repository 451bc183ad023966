package com.parley.chat.gateway.recovery;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

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
    private final AtomicLong totalBytes = new AtomicLong();

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
        SessionKey key = event.sessionKey();
        while (!addTo(sessions.computeIfAbsent(key, k -> new Window()), key, event, size)) {
            // the window left (byte budget, idle) between the lookup and the lock: take a new one
        }
        if (totalBytes.get() > config.recovery().recentEventsMaxBytes()) {
            shrink();
        }
    }

    private boolean addTo(Window window, SessionKey key, EventFrame event, int size) {
        synchronized (window) {
            if (sessions.get(key) != window) {
                return false;
            }
            window.touchedNanos = System.nanoTime();
            EventFrame last = window.events.peekLast();
            if (last != null && event.seq() <= last.seq()) {
                return true; // Kafka delivered it again
            }
            if (last != null && event.seq() != last.seq() + 1) {
                // a gap in what this instance read: start again from here
                drop(window, window.events.size());
            }
            if ("message_deleted".equals(event.type())) {
                redact(window, frames.messageId(event));
            }
            window.events.addLast(event);
            totalBytes.addAndGet(bytes(event));
            drop(window, window.events.size() - size);
            return true;
        }
    }

    /** Frame text held, all windows together. */
    public long bytes() {
        return totalBytes.get();
    }

    private static long bytes(EventFrame event) {
        return event.frame().length()
                + (event.dashboardFrame() == event.frame() ? 0 : event.dashboardFrame().length());
    }

    /** Drops the oldest {@code count} events of a window (its lock held). */
    private void drop(Window window, int count) {
        for (int i = 0; i < count && !window.events.isEmpty(); i++) {
            totalBytes.addAndGet(-bytes(window.events.pollFirst()));
        }
    }

    /** Over the byte budget: the least recently active tenth of the sessions leave. */
    private synchronized void shrink() {
        if (totalBytes.get() <= config.recovery().recentEventsMaxBytes()) {
            return;
        }
        List<Map.Entry<SessionKey, Window>> byAge = new ArrayList<>(sessions.entrySet());
        byAge.sort(Comparator.comparingLong(e -> e.getValue().touchedNanos));
        int leave = Math.max(1, byAge.size() / 10);
        for (int i = 0; i < byAge.size() && (i < leave || totalBytes.get() > config.recovery().recentEventsMaxBytes());
                i++) {
            remove(byAge.get(i).getKey(), byAge.get(i).getValue());
        }
    }

    private void remove(SessionKey key, Window window) {
        if (sessions.remove(key, window)) {
            synchronized (window) {
                drop(window, window.events.size());
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
        drop(window, kept.size());
        for (EventFrame e : kept) {
            EventFrame stays = "message_created".equals(e.type()) && messageId.equals(frames.messageId(e))
                    ? frames.redacted(e) : e;
            window.events.addLast(stays);
            totalBytes.addAndGet(bytes(stays));
        }
    }

    /** The stream may have skipped events (a consumer that rejoined at the latest offset). */
    public void clear() {
        sessions.forEach(this::remove);
    }

    @Scheduled(every = "60s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void expire() {
        long idle = config.recovery().recentIdle().toNanos();
        long now = System.nanoTime();
        sessions.forEach((key, window) -> {
            if (now - window.touchedNanos > idle) {
                remove(key, window);
            }
        });
    }
}
