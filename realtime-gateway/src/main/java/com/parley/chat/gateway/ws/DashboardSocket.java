package com.parley.chat.gateway.ws;

import jakarta.inject.Inject;

import com.parley.chat.gateway.coordinator.Subscriptions;

import io.quarkus.websockets.next.OnClose;
import io.quarkus.websockets.next.OnError;
import io.quarkus.websockets.next.OnOpen;
import io.quarkus.websockets.next.OnPongMessage;
import io.quarkus.websockets.next.OnTextMessage;
import io.quarkus.websockets.next.WebSocket;
import io.quarkus.websockets.next.WebSocketConnection;
import io.vertx.core.buffer.Buffer;

/** Staff only: every session event of the tenant, live. */
@WebSocket(path = "/ws/{tenantId}/dashboard")
public class DashboardSocket {

    @Inject
    Subscriptions subscriptions;

    @Inject
    SocketClients clients;

    @OnOpen
    public void onOpen(WebSocketConnection connection) {
        clients.open(connection, (caller, transport) -> subscriptions.openDashboard(connection.id(), caller, transport));
    }

    @OnTextMessage
    public void onText(WebSocketConnection connection, String text) {
        clients.onText(connection, text);
    }

    @OnPongMessage
    public void onPong(WebSocketConnection connection, Buffer data) {
        clients.onPong(connection);
    }

    @OnClose
    public void onClose(WebSocketConnection connection) {
        clients.onClose(connection);
    }

    @OnError
    public void onError(WebSocketConnection connection, Throwable failure) {
        clients.onError(connection, failure);
    }
}
