package com.parley.chat.gateway.presence;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import com.parley.chat.gateway.protocol.SessionKey;

import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.quarkus.scheduler.Scheduler;

/**
 * Who is typing in each session now, as every instance's typing signals said: what a client that
 * subscribes is told right after the session's presence, so that an agent who opens a chat sees the
 * customer typing at once and not only at the typist's next refresh. A typist who said nothing more
 * for {@link #FORGOTTEN} is forgotten, as the browser client forgets one (a stop can get lost with
 * its connection); a typist refreshes every five seconds while typing.
 */
@ApplicationScoped
public class Typists {

    /** As the browser client's TYPIST_FORGOTTEN_MS. */
    public static final Duration FORGOTTEN = Duration.ofSeconds(10);

    private record Typing(String frame, long untilNanos) {
    }

    /** session → user id → the typing_indicator frame that said so, and until when it holds. */
    private final Map<SessionKey, Map<String, Typing>> sessions = new ConcurrentHashMap<>();
    private final LongSupplier nanoTime;

    public Typists() {
        this(System::nanoTime);
    }

    Typists(LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
    }

    void schedule(@Observes StartupEvent event, Scheduler scheduler) {
        scheduler.newJob("typists-forget").setInterval(FORGOTTEN.toString())
                .setConcurrentExecution(Scheduled.ConcurrentExecution.SKIP).setTask(execution -> forget())
                .schedule();
    }

    /** A typing signal of {@code userId}: {@code frame} is the typing_indicator the session's clients get. */
    public void typing(SessionKey session, String userId, boolean isTyping, String frame) {
        if (isTyping) {
            sessions.computeIfAbsent(session, k -> new ConcurrentHashMap<>())
                    .put(userId, new Typing(frame, nanoTime.getAsLong() + FORGOTTEN.toNanos()));
        } else {
            sessions.computeIfPresent(session, (k, typists) -> {
                typists.remove(userId);
                return typists.isEmpty() ? null : typists;
            });
        }
    }

    /** The typing_indicator frames of those typing in the session now (none, mostly). */
    public List<String> current(SessionKey session) {
        Map<String, Typing> typists = sessions.get(session);
        if (typists == null) {
            return List.of();
        }
        long now = nanoTime.getAsLong();
        return typists.values().stream().filter(t -> t.untilNanos() - now > 0).map(Typing::frame).toList();
    }

    /** How many sessions have someone typing (or not forgotten yet). */
    int sessions() {
        return sessions.size();
    }

    /** Drops the typists nobody heard from within {@link #FORGOTTEN}, and the sessions left without any. */
    void forget() {
        long now = nanoTime.getAsLong();
        sessions.forEach((session, typists) -> {
            typists.values().removeIf(t -> t.untilNanos() - now <= 0);
            sessions.computeIfPresent(session, (k, left) -> left.isEmpty() ? null : left);
        });
    }
}
