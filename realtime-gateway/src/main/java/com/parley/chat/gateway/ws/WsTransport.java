package com.parley.chat.gateway.ws;

import java.time.Duration;

import com.parley.chat.gateway.client.SharedFrames;
import com.parley.chat.gateway.client.Transport;
import com.parley.chat.gateway.client.WriteBatch;
import com.parley.chat.gateway.protocol.Disconnect;
import com.parley.chat.gateway.protocol.WsFrames;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoop;
import io.netty.channel.VoidChannelPromise;
import io.netty.handler.codec.http.websocketx.WebSocketFrameEncoder;

import io.quarkus.logging.Log;
import io.quarkus.websockets.next.CloseReason;
import io.quarkus.websockets.next.WebSocketConnection;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.net.impl.ConnectionBase;

/**
 * A WebSocket client's transport. Frames are written below websockets-next and Vert.x, into the
 * Netty pipeline at the WebSocket encoder, as finished WebSocket frames (an event's bytes are
 * encoded once for all its sockets: {@link WriteBatch}); no {@code Uni}, promise or copy per frame,
 * one flush per batch. Everything else (the handshake, reading, pings, the close) stays with
 * websockets-next. Writes run on the connection's event loop only ({@link #loop()}).
 */
final class WsTransport implements Transport {

    private final WebSocketConnection connection;
    private final HttpConnection socket;
    private final Duration closeGrace;
    private final EventLoop loop;
    /** Writes from here skip the encoders after it: the bytes are a WebSocket frame already. */
    private final ChannelHandlerContext wire;
    /** For every write but a flush's last: a failure (the socket closed) is the close handler's business. */
    private final ChannelPromise unwatched;
    private ChannelFutureListener taken;
    /** The last frame written: it goes out with the flush, carrying the promise that says "taken". */
    private ByteBuf held;

    WsTransport(WebSocketConnection connection, HttpConnection socket, Duration closeGrace) {
        this.connection = connection;
        this.socket = socket;
        this.closeGrace = closeGrace;
        this.loop = Transport.loopOf(socket);
        this.wire = socket instanceof ConnectionBase base
                ? base.channel().pipeline().context(WebSocketFrameEncoder.class)
                : null;
        this.unwatched = wire == null ? null : new VoidChannelPromise(wire.channel(), false);
    }

    @Override
    public void write(String frame, long seq, SharedFrames event) {
        if (wire == null) {
            connection.sendText(frame).subscribe().with(ok -> { }, failure -> { });
            return;
        }
        if (!wire.channel().isActive()) {
            return;
        }
        ByteBuf bytes = event == null ? null : event.duplicateOf(frame);
        if (bytes == null) {
            bytes = WsFrames.text(wire.alloc(), frame);
        }
        if (held != null) {
            wire.write(held, unwatched);
        }
        held = bytes;
    }

    @Override
    public boolean flush(Runnable whenTaken) {
        if (held == null) {
            if (wire == null) {
                whenTaken.run();
                return true;
            }
            return false;
        }
        if (taken == null) {
            taken = future -> {
                if (!future.isSuccess() && future.channel().isActive()) {
                    // an open socket refused the bytes (a closing one fails its writes as it should): a
                    // bug below the gateway; said here, as the client only notices by its timeouts
                    Log.errorf(future.cause(), "write to open connection %s failed", connection.id());
                }
                whenTaken.run();
            };
        }
        ChannelPromise promise = wire.newPromise().addListener(taken);
        wire.write(held, promise);
        held = null;
        wire.flush();
        return true;
    }

    @Override
    public long unsentBytes() {
        return Transport.unsentBytes(socket);
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
