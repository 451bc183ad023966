package com.parley.chat.gateway.presence;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.parley.chat.gateway.auth.Caller;
import com.parley.chat.gateway.client.SessionSubscription;
import com.parley.chat.gateway.config.GatewayConfig;
import com.parley.chat.gateway.hub.SessionHub;
import com.parley.chat.gateway.protocol.Channel;
import com.parley.chat.gateway.protocol.Frames;
import com.parley.chat.gateway.protocol.SessionKey;
import com.parley.chat.gateway.signal.SignalPublisher;

import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.quarkus.scheduler.Scheduler;
import io.vertx.core.Vertx;

/**
 * Who is in a session across all instances. Each instance announces its own participants of a
 * session when they change and every few seconds; an instance that stops announcing (it died)
 * drops out after the TTL. Participants are (user_id, role), whatever the number of their tabs,
 * with the name their token gives, if any (what the widget calls the operator who joined).
 * Unit-tested in PresenceTrackerTest.
 */
@ApplicationScoped
public class PresenceTracker {

    record Participant(String userId, String role, String name) {
    }

    private record Announcement(List<Participant> participants, Instant expiresAt) {
    }

    /** What local subscribers were told last: the list and its frame, one string shared by all of them. */
    private record Pushed(List<Participant> participants, String frame) {
    }

    private final SessionHub hub;
    private final SignalPublisher signals;
    private final Frames frames;
    private final GatewayConfig config;
    private final Vertx vertx;

    /** session → instance → its participants. */
    private final Map<SessionKey, Map<String, Announcement>> sessions = new ConcurrentHashMap<>();
    /** session → the participants last pushed to local sockets. */
    private final Map<SessionKey, Pushed> lastPushed = new ConcurrentHashMap<>();
    /** session → this instance's participants as last announced. */
    private final Map<SessionKey, List<Participant>> lastAnnounced = new ConcurrentHashMap<>();
    /** Sessions whose local participants changed and are about to be announced. */
    private final Set<SessionKey> dirty = ConcurrentHashMap.newKeySet();

    @Inject
    public PresenceTracker(SessionHub hub, SignalPublisher signals, Frames frames, GatewayConfig config, Vertx vertx) {
        this.hub = hub;
        this.signals = signals;
        this.frames = frames;
        this.config = config;
        this.vertx = vertx;
    }

    void schedule(@Observes StartupEvent event, Scheduler scheduler) {
        scheduler.newJob("presence-announce")
                .setInterval(config.presence().announceInterval().toString())
                .setConcurrentExecution(Scheduled.ConcurrentExecution.SKIP)
                .setTask(execution -> announceAndExpire())
                .schedule();
    }

    /**
     * A local client joined or left: tell every instance who is here now. Changes within a short
     * window are announced together, so a thousand joins of one session cost one announcement.
     */
    public void localChange(SessionKey session) {
        if (dirty.add(session)) {
            vertx.setTimer(config.presence().coalesce().toMillis(), ignored -> {
                // while this recount runs, a join cannot take the shortcut of joined(): it finds no base
                List<Participant> before = lastAnnounced.remove(session);
                dirty.remove(session);
                announce(session, before, false);
                push(session); // this instance's subscribers learn now, not when the announcement comes back
            });
        }
    }

    /**
     * A local client of {@code caller} joined: when the caller is already among this instance's
     * announced participants and no change is pending, nothing changes (another tab, a reconnect,
     * the next of ten thousand sockets of one user) and nothing is counted again.
     */
    public void joined(SessionKey session, Caller caller) {
        List<Participant> announced = lastAnnounced.get(session);
        if (announced != null && !dirty.contains(session)
                && announced.contains(new Participant(caller.userId(), caller.participantRole(), caller.name()))) {
            return;
        }
        localChange(session);
    }

    /**
     * The participants, as a presence frame, for a client that just subscribed: it is among them,
     * though its join is announced a moment later (coalesced, then back over Kafka).
     */
    public String currentFrame(SessionKey session) {
        List<Participant> merged = merged(session);
        Pushed pushed = lastPushed.get(session);
        return pushed != null && pushed.participants().equals(merged) ? pushed.frame() : frame(session, merged);
    }

    /** An announcement of some instance (this one included), read from chat.signals. */
    public void onAnnouncement(SessionKey session, JsonNode signal) {
        List<Participant> participants = new ArrayList<>();
        signal.path("participants").forEach(p -> participants.add(
                new Participant(p.path("user_id").asText(), p.path("role").asText(),
                        p.hasNonNull("name") ? p.path("name").asText() : null)));
        Map<String, Announcement> byInstance = sessions.computeIfAbsent(session, k -> new ConcurrentHashMap<>());
        if (participants.isEmpty()) {
            byInstance.remove(signal.path("instance_id").asText());
        } else {
            byInstance.put(signal.path("instance_id").asText(),
                    new Announcement(participants, Instant.now().plus(config.presence().ttl())));
        }
        if (byInstance.isEmpty()) {
            sessions.remove(session);
        }
        push(session);
    }

    /** Sessions some instance announced participants of (for tests: emptied ones are forgotten). */
    int trackedSessions() {
        return sessions.size();
    }

    /** Re-announces this instance's participants and drops those of instances that went quiet. */
    void announceAndExpire() {
        for (SessionKey session : hub.localSessions()) {
            announce(session, lastAnnounced.get(session), true);
        }
        Instant now = Instant.now();
        for (Map.Entry<SessionKey, Map<String, Announcement>> entry : sessions.entrySet()) {
            if (entry.getValue().values().removeIf(a -> a.expiresAt().isBefore(now))) {
                push(entry.getKey());
            }
        }
        sessions.values().removeIf(Map::isEmpty); // sessions nobody is in any more
        lastPushed.keySet().retainAll(hub.localSessions());
        lastAnnounced.keySet().retainAll(hub.localSessions());
    }

    /** On shutdown: this instance's participants leave every session at once. */
    public void withdrawAll() {
        for (SessionKey session : hub.localSessions()) {
            ObjectNode signal = signals.signal("presence", session);
            signal.putArray("participants");
            signals.publish(session, signal);
        }
    }

    /**
     * @param before this instance's participants as last announced
     * @param always false after local joins and leaves: nothing is published when they left this
     *        instance's participants as they were (a second tab, a reconnect, the hundredth socket
     *        of one user); the periodic re-announcement publishes always (it keeps the TTL)
     */
    private void announce(SessionKey session, List<Participant> before, boolean always) {
        List<Participant> now = localParticipants(session);
        lastAnnounced.put(session, now);
        if (now.equals(before) && !always) {
            return;
        }
        ObjectNode signal = signals.signal("presence", session);
        ArrayNode participants = signal.putArray("participants");
        now.forEach(p -> write(participants, p));
        signals.publish(session, signal);
    }

    /** This instance's participants of the session, now, in order: one per user and role. */
    private List<Participant> localParticipants(SessionKey session) {
        TreeMap<String, Participant> local = new TreeMap<>();
        for (SessionSubscription subscription : hub.sessionSubscriptions(session)) {
            Caller caller = subscription.connection().caller();
            Participant p = new Participant(caller.userId(), caller.participantRole(), caller.name());
            local.put(key(p), p);
        }
        return List.copyOf(local.values());
    }

    private static String key(Participant p) {
        return p.userId() + "\u0000" + p.role();
    }

    private void push(SessionKey session) {
        List<Participant> merged = merged(session);
        Pushed before = lastPushed.get(session);
        if (before != null && before.participants().equals(merged)) {
            return;
        }
        String frame = frame(session, merged);
        lastPushed.put(session, new Pushed(merged, frame));
        hub.presence(session, frame);
    }

    /**
     * Who is in the session: the other instances' participants as they last announced them, and this
     * instance's as they are now (its own announcements are for the others).
     */
    private List<Participant> merged(SessionKey session) {
        TreeMap<String, Participant> all = new TreeMap<>();
        Map<String, Announcement> byInstance = sessions.get(session);
        if (byInstance != null) {
            Instant now = Instant.now();
            byInstance.forEach((instance, a) -> {
                if (!instance.equals(config.instanceId()) && a.expiresAt().isAfter(now)) {
                    a.participants().forEach(p -> all.put(key(p), p));
                }
            });
        }
        localParticipants(session).forEach(p -> all.put(key(p), p));
        return new ArrayList<>(all.values());
    }

    private String frame(SessionKey session, List<Participant> participants) {
        ObjectNode frame = frames.frame("presence", Channel.session(session.sessionId()))
                .put("session_id", session.sessionId());
        ArrayNode list = frame.putArray("participants");
        participants.forEach(p -> write(list, p));
        return frame.toString();
    }

    private static void write(ArrayNode list, Participant p) {
        ObjectNode entry = list.addObject().put("user_id", p.userId()).put("role", p.role());
        if (p.name() != null) {
            entry.put("name", p.name());
        }
    }
}
