package com.parley.chat.gateway.ws;

import jakarta.inject.Inject;

import com.parley.chat.gateway.coordinator.Subscriptions;

import io.quarkus.websockets.next.InboundProcessingMode;
import io.quarkus.websockets.next.OnBinaryMessage;
import io.quarkus.websockets.next.OnClose;
import io.quarkus.websockets.next.OnError;
import io.quarkus.websockets.next.OnOpen;
import io.quarkus.websockets.next.OnPingMessage;
import io.quarkus.websockets.next.OnPongMessage;
import io.quarkus.websockets.next.OnTextMessage;
import io.quarkus.websockets.next.WebSocket;
import io.quarkus.websockets.next.WebSocketConnection;
import io.smallrye.common.annotation.NonBlocking;
import io.vertx.core.buffer.Buffer;

/** Staff only: every session event of the tenant, live. */
@WebSocket(path = "/ws/{tenantId}/dashboard", inboundProcessingMode = InboundProcessingMode.CONCURRENT)
public class DashboardSocket {

    @Inject
    Subscriptions subscriptions;

    @Inject
    SocketClients clients;

    @OnOpen
    @NonBlocking
    public void onOpen(WebSocketConnection connection) {
        clients.open(connection, (caller, transport) -> subscriptions.openDashboard(connection.id(), caller, transport));
    }

    @OnTextMessage
    @NonBlocking
    public void onText(WebSocketConnection connection, String text) {
        clients.onText(connection, text);
    }

    @OnBinaryMessage
    @NonBlocking
    public void onBinary(WebSocketConnection connection, Buffer data) {
        clients.onBinary(connection);
    }

    @OnPingMessage
    @NonBlocking
    public void onPing(WebSocketConnection connection, Buffer data) {
        clients.onControlFrame(connection);
    }

    @OnPongMessage
    @NonBlocking
    public void onPong(WebSocketConnection connection, Buffer data) {
        clients.onControlFrame(connection);
    }

    @OnClose
    @NonBlocking
    public void onClose(WebSocketConnection connection) {
        clients.onClose(connection);
    }

    @OnError
    @NonBlocking
    public void onError(WebSocketConnection connection, Throwable failure) {
        clients.onError(connection, failure);
    }
}
