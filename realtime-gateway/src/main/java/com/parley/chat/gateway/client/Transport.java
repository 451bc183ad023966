package com.parley.chat.gateway.client;

import java.util.concurrent.CompletionStage;

import io.netty.channel.EventLoop;
import io.vertx.core.Vertx;
import io.vertx.core.impl.ContextInternal;

/** What a client needs of its transport (WebSocket or SSE): write a frame, close. */
public interface Transport {

    /** Writes one JSON frame; {@code seq} is 0 for frames outside the session's sequence. */
    CompletionStage<Void> write(String frame, long seq);

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

    /** The event loop of the Vert.x context the caller runs on (a connection's handler), or null. */
    static EventLoop currentLoop() {
        return Vertx.currentContext() instanceof ContextInternal context ? context.nettyEventLoop() : null;
    }
}
