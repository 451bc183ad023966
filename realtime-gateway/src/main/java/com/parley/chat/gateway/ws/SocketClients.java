package com.parley.chat.gateway.ws;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import com.parley.chat.gateway.client.ClientConnection;
import com.parley.chat.gateway.coordinator.InboundFrames;
import com.parley.chat.gateway.coordinator.Subscriptions;

import io.quarkus.websockets.next.UserData.TypedKey;
import io.quarkus.websockets.next.WebSocketConnection;

/**
 * What every WebSocket endpoint does once its client exists: the client rides in the connection's
 * user data, frames go to {@link InboundFrames}, a pong counts as heard, a close ends the
 * subscription. (websockets-next wants the callbacks declared on each endpoint; they delegate here.)
 */
@ApplicationScoped
public class SocketClients {

    private static final TypedKey<ClientConnection> CLIENT = new TypedKey<>("parley.client");

    @Inject
    Subscriptions subscriptions;

    @Inject
    InboundFrames inbound;

    void attach(WebSocketConnection connection, ClientConnection client) {
        if (client != null) {
            connection.userData().put(CLIENT, client);
        }
    }

    void onText(WebSocketConnection connection, String text) {
        ClientConnection client = connection.userData().get(CLIENT);
        if (client != null) {
            inbound.handle(client, text);
        }
    }

    void onPong(WebSocketConnection connection) {
        ClientConnection client = connection.userData().get(CLIENT);
        if (client != null) {
            client.heard();
        }
    }

    void onClose(WebSocketConnection connection) {
        ClientConnection client = connection.userData().get(CLIENT);
        if (client != null) {
            subscriptions.closed(client);
        }
    }
}
