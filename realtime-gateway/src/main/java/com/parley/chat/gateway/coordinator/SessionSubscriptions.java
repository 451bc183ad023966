package com.parley.chat.gateway.coordinator;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import com.parley.chat.gateway.auth.Caller;
import com.parley.chat.gateway.client.ClientConnection;
import com.parley.chat.gateway.client.ClientContext;
import com.parley.chat.gateway.client.ClientSession;
import com.parley.chat.gateway.client.DashboardClient;
import com.parley.chat.gateway.client.Transport;
import com.parley.chat.gateway.hub.SessionHub;
import com.parley.chat.gateway.presence.PresenceTracker;
import com.parley.chat.gateway.protocol.Disconnect;
import com.parley.chat.gateway.protocol.SessionKey;

/**
 * Opens and ends a client's subscription, the same way for every transport: register with the
 * hub (within its limits), start the replay, join presence; on the way out, the reverse.
 */
@ApplicationScoped
public class SessionSubscriptions {

    private final SessionHub hub;
    private final PresenceTracker presence;
    private final ClientContext context;

    @Inject
    public SessionSubscriptions(SessionHub hub, PresenceTracker presence, ClientContext context) {
        this.hub = hub;
        this.presence = presence;
        this.context = context;
    }

    /** Registers and starts the replay; null when a limit refused it (the client is then closed). */
    public ClientSession open(String connectionId, Caller caller, String sessionId, long lastSeq, Transport transport) {
        SessionKey session = new SessionKey(caller.tenantId(), sessionId);
        ClientSession client = new ClientSession(connectionId, caller, session, lastSeq, transport, context,
                () -> presence.currentFrame(session));
        Disconnect refusal = hub.register(client);
        if (refusal != null) {
            client.close(refusal);
            return null;
        }
        client.start();
        presence.localChange(session);
        return client;
    }

    /** The transport is gone: forget the client and, for a session, tell the others it left. */
    public void closed(ClientConnection client) {
        client.closedByPeer();
        hub.unregister(client);
        if (client instanceof ClientSession session && !hub.draining()) {
            presence.localChange(session.session());
        }
    }

    /** Registers a staff dashboard and greets it; null when a limit refused it (it is then closed). */
    public DashboardClient openDashboard(String connectionId, Caller caller, Transport transport) {
        DashboardClient client = new DashboardClient(connectionId, caller, transport, context);
        Disconnect refusal = hub.register(client);
        if (refusal != null) {
            client.close(refusal);
            return null;
        }
        client.deliverSignal(context.frames().frame("connected").put("tenant_id", caller.tenantId())
                .put("user_id", caller.userId()).put("role", caller.participantRole())
                .put("connection_id", connectionId).toString());
        return client;
    }
}
