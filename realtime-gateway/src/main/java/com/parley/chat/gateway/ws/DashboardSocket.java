package com.parley.chat.gateway.ws;

import jakarta.inject.Inject;

import com.parley.chat.gateway.auth.Caller;
import com.parley.chat.gateway.client.DashboardClient;
import com.parley.chat.gateway.coordinator.InboundFrames;
import com.parley.chat.gateway.coordinator.SessionSubscriptions;
import com.parley.chat.gateway.protocol.Disconnect;

import io.quarkus.websockets.next.OnClose;
import io.quarkus.websockets.next.OnOpen;
import io.quarkus.websockets.next.OnPongMessage;
import io.quarkus.websockets.next.OnTextMessage;
import io.quarkus.websockets.next.UserData.TypedKey;
import io.quarkus.websockets.next.WebSocket;
import io.quarkus.websockets.next.WebSocketConnection;
import io.vertx.core.buffer.Buffer;

/** Staff only: every session event of the tenant, live. */
@WebSocket(path = "/ws/{tenantId}/dashboard")
public class DashboardSocket {

    static final TypedKey<DashboardClient> CLIENT = new TypedKey<>("parley.dashboard-client");

    @Inject
    SessionSubscriptions subscriptions;

    @Inject
    InboundFrames inbound;

    @OnOpen
    public void onOpen(WebSocketConnection connection) {
        Caller caller = connection.userData().get(UpgradeGuard.CALLER);
        if (caller == null) {
            WsTransport.close(connection, Disconnect.NOT_AUTHENTICATED);
            return;
        }
        DashboardClient client = subscriptions.openDashboard(connection.id(), caller, new WsTransport(connection));
        if (client != null) {
            connection.userData().put(CLIENT, client);
        }
    }

    @OnTextMessage
    public void onText(WebSocketConnection connection, String text) {
        DashboardClient client = connection.userData().get(CLIENT);
        if (client != null) {
            inbound.handle(client, text);
        }
    }

    @OnPongMessage
    public void onPong(WebSocketConnection connection, Buffer data) {
        DashboardClient client = connection.userData().get(CLIENT);
        if (client != null) {
            client.heard();
        }
    }

    @OnClose
    public void onClose(WebSocketConnection connection) {
        DashboardClient client = connection.userData().get(CLIENT);
        if (client != null) {
            subscriptions.closed(client);
        }
    }
}
