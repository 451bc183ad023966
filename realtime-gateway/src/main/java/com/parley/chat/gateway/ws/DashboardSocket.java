package com.parley.chat.gateway.ws;

import jakarta.inject.Inject;

import com.parley.chat.gateway.auth.Caller;
import com.parley.chat.gateway.client.CloseCodes;
import com.parley.chat.gateway.client.DashboardClient;
import com.parley.chat.gateway.config.GatewayConfig;
import com.parley.chat.gateway.hub.Frames;
import com.parley.chat.gateway.hub.GatewayMetrics;
import com.parley.chat.gateway.hub.SessionHub;

import io.quarkus.websockets.next.CloseReason;
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
    SessionHub hub;

    @Inject
    GatewayConfig config;

    @Inject
    GatewayMetrics metrics;

    @Inject
    Frames frames;

    @Inject
    InboundFrames inbound;

    @OnOpen
    public void onOpen(WebSocketConnection connection) {
        Caller caller = connection.userData().get(UpgradeGuard.CALLER);
        if (caller == null) {
            connection.close(new CloseReason(CloseCodes.POLICY_VIOLATION, "not authenticated"))
                    .subscribe().with(ok -> { }, failure -> { });
            return;
        }
        DashboardClient client = new DashboardClient(connection.id(), caller, new WsTransport(connection), config,
                metrics);
        String refusal = hub.register(client);
        if (refusal != null) {
            client.close(CloseCodes.POLICY_VIOLATION, refusal);
            return;
        }
        connection.userData().put(CLIENT, client);
        client.deliverSignal(frames.frame("connected").put("tenant_id", caller.tenantId())
                .put("user_id", caller.userId()).put("role", caller.participantRole())
                .put("connection_id", connection.id()).toString());
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
            client.closedByPeer();
            hub.unregister(client);
        }
    }
}
