package com.parley.chat.gateway.ws;

import jakarta.inject.Inject;

import com.parley.chat.gateway.auth.Caller;
import com.parley.chat.gateway.client.ClientSession;
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

/** The widget's and staff's socket for one session; resumes after {@code last_seq}. */
@WebSocket(path = "/ws/{tenantId}/session/{sessionId}")
public class SessionSocket {

    static final TypedKey<ClientSession> CLIENT = new TypedKey<>("parley.session-client");

    @Inject
    SessionSubscriptions subscriptions;

    @Inject
    InboundFrames inbound;

    @OnOpen
    public void onOpen(WebSocketConnection connection) {
        Caller caller = connection.userData().get(UpgradeGuard.CALLER);
        String sessionId = connection.pathParam("sessionId");
        Long lastSeq = lastSeq(connection.handshakeRequest().query());
        if (caller == null || lastSeq == null) {
            WsTransport.close(connection, caller == null ? Disconnect.NOT_AUTHENTICATED : Disconnect.BAD_LAST_SEQ);
            return;
        }
        ClientSession client = subscriptions.open(connection.id(), caller, sessionId, lastSeq,
                new WsTransport(connection));
        if (client != null) {
            connection.userData().put(CLIENT, client);
        }
    }

    @OnTextMessage
    public void onText(WebSocketConnection connection, String text) {
        ClientSession client = connection.userData().get(CLIENT);
        if (client != null) {
            inbound.handle(client, text);
        }
    }

    @OnPongMessage
    public void onPong(WebSocketConnection connection, Buffer data) {
        ClientSession client = connection.userData().get(CLIENT);
        if (client != null) {
            client.heard();
        }
    }

    @OnClose
    public void onClose(WebSocketConnection connection) {
        ClientSession client = connection.userData().get(CLIENT);
        if (client != null) {
            subscriptions.closed(client);
        }
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
