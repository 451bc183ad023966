package com.parley.chat.gateway.ws;

import java.nio.channels.ClosedChannelException;
import java.util.function.BiFunction;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import com.parley.chat.gateway.auth.Caller;
import com.parley.chat.gateway.client.ClientConnection;
import com.parley.chat.gateway.client.Transport;
import com.parley.chat.gateway.config.GatewayConfig;
import com.parley.chat.gateway.coordinator.InboundFrames;
import com.parley.chat.gateway.coordinator.Subscriptions;
import com.parley.chat.gateway.protocol.Disconnect;

import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;

import io.quarkus.logging.Log;
import io.quarkus.websockets.next.UserData.TypedKey;
import io.quarkus.websockets.next.WebSocketConnection;
import io.vertx.core.http.HttpClosedException;

/**
 * What every WebSocket endpoint does once its client exists: the client rides in the connection's
 * user data, frames go to {@link InboundFrames}, a pong counts as heard, a close ends the
 * subscription. (websockets-next wants the callbacks declared on each endpoint; they delegate here.)
 *
 * <p>The endpoints' callbacks run on the connection's event loop ({@code @NonBlocking}) and are not
 * queued by websockets-next ({@code InboundProcessingMode.CONCURRENT}): one connection's callbacks
 * already run one after the other on its own event loop, and the queue that the serial mode keeps
 * per connection is about 1 KB of heap for every open socket. Nothing called from here may block:
 * chat-api and Kafka are asynchronous, and a token that may need the identity provider's key set
 * fetched is verified on a worker ({@code TokenVerifier.verifyWithoutWaiting}).
 */
@ApplicationScoped
public class SocketClients {

    private static final TypedKey<ClientConnection> CLIENT = new TypedKey<>("parley.client");

    @Inject
    Subscriptions subscriptions;

    @Inject
    InboundFrames inbound;

    @Inject
    GatewayConfig config;

    /**
     * Opens the endpoint's client for the caller the upgrade admitted (a connection without one is
     * closed as not authenticated); {@code open} answers null when it refused and closed.
     */
    void open(WebSocketConnection connection, BiFunction<Caller, Transport, ClientConnection> open) {
        Caller caller = connection.userData().get(UpgradeGuard.CALLER);
        if (caller == null) {
            WsTransport.close(connection, Disconnect.NOT_AUTHENTICATED);
            return;
        }
        ClientConnection client = open.apply(caller, new WsTransport(connection,
                connection.userData().get(UpgradeGuard.SOCKET), config.limits().closeGrace()));
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

    /** A binary message: refused with an error frame, and counted against the rate like a text one. */
    void onBinary(WebSocketConnection connection) {
        ClientConnection client = connection.userData().get(CLIENT);
        if (client != null) {
            inbound.handleBinary(client);
        }
    }

    /**
     * A ping or a pong: proof of life, and a frame that counts against the inbound rate like any other.
     * Vert.x answers every ping with a pong before this runs, so a flood of them is closed (1008), not
     * answered with error frames; the pongs the heartbeat asks for (one per 25 s) never come near the rate.
     */
    void onControlFrame(WebSocketConnection connection) {
        ClientConnection client = connection.userData().get(CLIENT);
        if (client != null) {
            client.heard();
            client.admitInbound();
        }
    }

    /**
     * A message over the hard cap (Vert.x refuses to assemble it) closes with 1009, as RFC 6455
     * says; a peer that went away is no error; anything else is a bug, logged, and closes with 1011.
     */
    void onError(WebSocketConnection connection, Throwable failure) {
        if (failure instanceof HttpClosedException || failure instanceof ClosedChannelException) {
            Log.debugf("connection %s went away: %s", connection.id(), failure);
            return; // the peer left; the close handler forgets the client
        }
        Disconnect disconnect = tooBig(failure) ? Disconnect.MESSAGE_TOO_BIG : Disconnect.INTERNAL_ERROR;
        if (disconnect == Disconnect.INTERNAL_ERROR) {
            Log.errorf(failure, "failure on connection %s", connection.id());
        }
        ClientConnection client = connection.userData().get(CLIENT);
        if (client != null) {
            client.close(disconnect);
        } else {
            WsTransport.close(connection, disconnect);
        }
    }

    private static boolean tooBig(Throwable failure) {
        if (failure instanceof CorruptedWebSocketFrameException corrupted) {
            return corrupted.closeStatus().code() == Disconnect.MESSAGE_TOO_BIG_CODE;
        }
        // Vert.x's words when the fragments of one message add up to more than max-message-size
        return failure instanceof IllegalStateException && String.valueOf(failure.getMessage()).contains("overflow max");
    }

    void onClose(WebSocketConnection connection) {
        ClientConnection client = connection.userData().get(CLIENT);
        if (client != null) {
            subscriptions.closed(client);
        }
    }
}
