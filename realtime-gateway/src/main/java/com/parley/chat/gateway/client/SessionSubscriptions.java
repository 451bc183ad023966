package com.parley.chat.gateway.client;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import com.parley.chat.gateway.auth.Caller;
import com.parley.chat.gateway.config.GatewayConfig;
import com.parley.chat.gateway.hub.Frames;
import com.parley.chat.gateway.hub.GatewayMetrics;
import com.parley.chat.gateway.hub.SessionHub;
import com.parley.chat.gateway.messaging.PresenceTracker;
import com.parley.chat.gateway.recovery.ChatApiClient;
import com.parley.chat.gateway.recovery.RecentEvents;

/** Opens and ends a client's subscription to a session, the same way for every transport. */
@ApplicationScoped
public class SessionSubscriptions {

    @Inject
    SessionHub hub;

    @Inject
    GatewayConfig config;

    @Inject
    GatewayMetrics metrics;

    @Inject
    ChatApiClient chatApi;

    @Inject
    RecentEvents recentEvents;

    @Inject
    Frames frames;

    @Inject
    PresenceTracker presence;

    /** Registers and starts the replay; null when a limit refused it (the client is then closed with 1008). */
    public ClientSession open(String connectionId, Caller caller, String sessionId, long lastSeq, Transport transport) {
        String tenantId = caller.tenantId();
        ClientSession[] self = new ClientSession[1];
        ClientSession client = new ClientSession(connectionId, caller, sessionId, lastSeq, transport, config, metrics,
                chatApi, recentEvents, frames, () -> self[0].deliverSignal(presence.currentFrame(tenantId, sessionId)));
        self[0] = client;
        String refusal = hub.register(client);
        if (refusal != null) {
            client.close(CloseCodes.POLICY_VIOLATION, refusal);
            return null;
        }
        client.start();
        presence.localChange(tenantId, sessionId);
        return client;
    }

    /** The transport is gone: forget the client and tell the others it left. */
    public void closed(ClientSession client) {
        client.closedByPeer();
        hub.unregister(client);
        if (!hub.draining()) {
            presence.localChange(client.caller().tenantId(), client.sessionId());
        }
    }
}
