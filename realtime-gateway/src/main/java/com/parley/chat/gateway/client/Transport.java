package com.parley.chat.gateway.client;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.EventLoop;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.net.impl.ConnectionBase;

/**
 * What a client needs of its transport (WebSocket or SSE): write frames, flush them, know how much
 * the socket has not taken yet, close.
 */
public interface Transport {

    /**
     * Hands one JSON frame to the connection without sending it yet; {@code seq} is 0 for frames
     * outside the session's sequence; {@code event} is the encoding of the event being fanned out
     * on this loop ({@link SharedFrames#duplicateOf} has the bytes when the frame is one of its
     * frames), or null. Called on {@link #loop()} when there is one.
     */
    void write(String frame, long seq, SharedFrames event);

    /**
     * Sends what was written; {@code taken} runs once the socket has taken all of it. False when
     * nothing was written since the last flush (the connection closing): {@code taken} never runs.
     */
    boolean flush(Runnable taken);

    /** Bytes handed to the connection that its socket has not taken yet. */
    long unsentBytes();

    /** Closes with a WebSocket close code and reason (SSE just ends the stream). */
    void close(int code, String reason);

    String kind();

    /**
     * The event loop that owns the connection, or null. The client's {@link OutboundQueue} writes
     * only on it: offered there, a frame is written at once; offered from another thread, it waits
     * in the queue for one drain task that writes everything queued by then.
     */
    default EventLoop loop() {
        return null;
    }

    /**
     * Resets the connection's socket if it is still open after {@code grace}: the close frame (or
     * the end of an event stream) waits behind every byte the client has not read, so a client that
     * stopped reading would otherwise hold its socket and buffers for as long as it likes. The reset
     * (SO_LINGER 0) also frees the kernel's send buffer at once. {@code done} says the close got
     * through after all (an event stream's connection may then serve the next request).
     */
    static void releaseAfter(HttpConnection connection, Duration grace, BooleanSupplier done) {
        if (connection instanceof ConnectionBase base) {
            Channel channel = base.channel();
            channel.eventLoop().schedule(() -> {
                if (channel.isOpen() && !done.getAsBoolean()) {
                    channel.config().setOption(ChannelOption.SO_LINGER, 0);
                    // from the first handler on: Vert.x's handler would wait for the unwritten bytes
                    channel.pipeline().firstContext().close();
                }
            }, grace.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** Bytes waiting in a connection's outbound buffer (Netty counts them as they are written and taken). */
    static long unsentBytes(HttpConnection connection) {
        if (connection instanceof ConnectionBase base) {
            ChannelOutboundBuffer buffer = base.channel().unsafe().outboundBuffer();
            return buffer == null ? 0 : buffer.totalPendingWriteBytes();
        }
        return 0;
    }

    /**
     * The event loop that owns the connection's channel, or null. Not the loop of the Vert.x context
     * the caller runs on: a callback on a worker thread may carry a context of another loop, and
     * frames written from a loop that does not own the channel each cost Netty a task on the right
     * one (and miss the shared encoding and the batch flush).
     */
    static EventLoop loopOf(HttpConnection connection) {
        return connection instanceof ConnectionBase base ? base.channel().eventLoop() : null;
    }
}
