package com.parley.chat.gateway.messaging;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.parley.chat.gateway.client.ClientSession;
import com.parley.chat.gateway.config.GatewayConfig;
import com.parley.chat.gateway.hub.Frames;
import com.parley.chat.gateway.hub.SessionHub;

import io.quarkus.scheduler.Scheduled;
import io.vertx.core.Vertx;

/**
 * Who is in a session across all instances. Each instance announces its own participants of a
 * session when they change and every few seconds; an instance that stops announcing (it died)
 * drops out after the TTL. Participants are (user_id, role), whatever the number of their tabs.
 */
@ApplicationScoped
public class PresenceTracker {

    record Participant(String userId, String role) {
    }

    private record Announcement(List<Participant> participants, Instant expiresAt) {
    }

    @Inject
    SessionHub hub;

    @Inject
    SignalBus bus;

    @Inject
    Frames frames;

    @Inject
    GatewayConfig config;

    /** tenant:session → instance → its participants. */
    private final Map<String, Map<String, Announcement>> sessions = new ConcurrentHashMap<>();
    /** tenant:session → the participants last pushed to local sockets. */
    private final Map<String, List<Participant>> lastPushed = new ConcurrentHashMap<>();

    /** Sessions whose local participants changed and are about to be announced. */
    private final Set<String> dirty = ConcurrentHashMap.newKeySet();

    @Inject
    Vertx vertx;

    /**
     * A local client joined or left: tell every instance who is here now. Changes within a short
     * window are announced together, so a thousand joins of one session cost one announcement.
     */
    public void localChange(String tenantId, String sessionId) {
        String key = SessionHub.key(tenantId, sessionId);
        if (dirty.add(key)) {
            vertx.setTimer(config.presence().coalesce().toMillis(), ignored -> {
                dirty.remove(key);
                announce(tenantId, sessionId);
            });
        }
    }

    /** The merged participants, as a presence frame, for a client that just connected. */
    public String currentFrame(String tenantId, String sessionId) {
        return frame(sessionId, merged(SessionHub.key(tenantId, sessionId)));
    }

    void onAnnouncement(JsonNode signal) {
        String key = SessionHub.key(signal.path("tenant_id").asText(), signal.path("session_id").asText());
        List<Participant> participants = new ArrayList<>();
        signal.path("participants").forEach(p -> participants.add(
                new Participant(p.path("user_id").asText(), p.path("role").asText())));
        Map<String, Announcement> byInstance = sessions.computeIfAbsent(key, k -> new ConcurrentHashMap<>());
        if (participants.isEmpty()) {
            byInstance.remove(signal.path("instance_id").asText());
        } else {
            byInstance.put(signal.path("instance_id").asText(),
                    new Announcement(participants, Instant.now().plus(config.presence().ttl())));
        }
        if (byInstance.isEmpty()) {
            sessions.remove(key);
        }
        push(key, signal.path("tenant_id").asText(), signal.path("session_id").asText());
    }

    @Scheduled(every = "${parley.gateway.presence.announce-interval:10S}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void announceAndExpire() {
        for (String key : hub.localSessionKeys()) {
            int colon = key.indexOf(':');
            announce(key.substring(0, colon), key.substring(colon + 1));
        }
        Instant now = Instant.now();
        for (Map.Entry<String, Map<String, Announcement>> entry : sessions.entrySet()) {
            if (entry.getValue().values().removeIf(a -> a.expiresAt().isBefore(now))) {
                String key = entry.getKey();
                int colon = key.indexOf(':');
                push(key, key.substring(0, colon), key.substring(colon + 1));
            }
        }
        lastPushed.keySet().removeIf(key -> !hub.localSessionKeys().contains(key));
    }

    /** On shutdown: this instance's participants leave every session at once. */
    public void withdrawAll() {
        for (String key : hub.localSessionKeys()) {
            int colon = key.indexOf(':');
            ObjectNode signal = bus.signal("presence", key.substring(0, colon), key.substring(colon + 1));
            signal.putArray("participants");
            bus.publish(signal);
        }
    }

    private void announce(String tenantId, String sessionId) {
        TreeMap<String, Participant> local = new TreeMap<>();
        for (ClientSession client : hub.sessionClients(tenantId, sessionId)) {
            Participant p = new Participant(client.caller().userId(), client.caller().participantRole());
            local.put(p.userId() + "\u0000" + p.role(), p);
        }
        ObjectNode signal = bus.signal("presence", tenantId, sessionId);
        ArrayNode participants = signal.putArray("participants");
        for (Participant p : local.values()) {
            participants.addObject().put("user_id", p.userId()).put("role", p.role());
        }
        bus.publish(signal);
    }

    private void push(String key, String tenantId, String sessionId) {
        List<Participant> merged = merged(key);
        if (Objects.equals(lastPushed.put(key, merged), merged)) {
            return;
        }
        hub.signal(tenantId, sessionId, frame(sessionId, merged), null);
    }

    private List<Participant> merged(String key) {
        TreeMap<String, Participant> all = new TreeMap<>();
        Map<String, Announcement> byInstance = sessions.get(key);
        if (byInstance != null) {
            Instant now = Instant.now();
            for (Announcement a : byInstance.values()) {
                if (a.expiresAt().isAfter(now)) {
                    a.participants().forEach(p -> all.put(p.userId() + "\u0000" + p.role(), p));
                }
            }
        }
        return new ArrayList<>(all.values());
    }

    private String frame(String sessionId, List<Participant> participants) {
        ObjectNode frame = frames.frame("presence").put("session_id", sessionId);
        ArrayNode list = frame.putArray("participants");
        participants.forEach(p -> list.addObject().put("user_id", p.userId()).put("role", p.role()));
        return frame.toString();
    }
}
