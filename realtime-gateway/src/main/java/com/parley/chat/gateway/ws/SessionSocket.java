package com.parley.chat.gateway.ws;

import jakarta.inject.Inject;

import com.parley.chat.gateway.coordinator.Subscriptions;
import com.parley.chat.gateway.protocol.Disconnect;

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

/** The widget's and staff's socket for one session; resumes after {@code last_seq}. */
@WebSocket(path = "/ws/{tenantId}/session/{sessionId}", inboundProcessingMode = InboundProcessingMode.CONCURRENT)
public class SessionSocket {

    @Inject
    Subscriptions subscriptions;

    @Inject
    SocketClients clients;

    @OnOpen
    @NonBlocking
    public void onOpen(WebSocketConnection connection) {
        String sessionId = connection.pathParam("sessionId");
        Long lastSeq = lastSeq(connection.handshakeRequest().query());
        clients.open(connection, (caller, transport) -> {
            if (lastSeq == null) {
                WsTransport.close(connection, Disconnect.BAD_LAST_SEQ);
                return null;
            }
            return subscriptions.openSession(connection.id(), caller, sessionId, lastSeq, transport);
        });
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

    /** The last_seq query parameter: absent means 0 (replay everything); null when malformed. */
    static Long lastSeq(String query) {
        if (query == null) {
            return 0L;
        }
        for (String pair : query.split("&")) {
            if (pair.startsWith("last_seq=")) {
                try {
                    long value = Long.parseLong(pair.substring("last_seq=".length()));
                    return value < 0 ? null : value;
                } catch (NumberFormatException e) {
                    return null;
                }
            }
        }
        return 0L;
    }
}
