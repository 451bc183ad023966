package com.parley.chat.gateway.ws;

import java.time.Duration;
import java.util.concurrent.CompletionStage;

import com.parley.chat.gateway.client.Transport;
import com.parley.chat.gateway.protocol.Disconnect;

import io.netty.channel.EventLoop;

import io.quarkus.websockets.next.CloseReason;
import io.quarkus.websockets.next.WebSocketConnection;
import io.vertx.core.http.HttpConnection;

final class WsTransport implements Transport {

    private final WebSocketConnection connection;
    private final HttpConnection socket;
    private final Duration closeGrace;
    private final EventLoop loop = Transport.currentLoop();

    WsTransport(WebSocketConnection connection, HttpConnection socket, Duration closeGrace) {
        this.connection = connection;
        this.socket = socket;
        this.closeGrace = closeGrace;
    }

    @Override
    public CompletionStage<Void> write(String frame, long seq) {
        return connection.sendText(frame).subscribeAsCompletionStage();
    }

    @Override
    public void close(int code, String reason) {
        connection.close(new CloseReason(code, reason)).subscribe().with(ok -> { }, failure -> { });
        if (socket != null) {
            Transport.releaseAfter(socket, closeGrace, () -> false);
        }
    }

    /** Closes a connection that never became a client. */
    static void close(WebSocketConnection connection, Disconnect disconnect) {
        connection.close(new CloseReason(disconnect.code(), disconnect.reason())).subscribe().with(ok -> { },
                failure -> { });
    }

    @Override
    public EventLoop loop() {
        return loop;
    }

    @Override
    public String kind() {
        return "ws";
    }
}
