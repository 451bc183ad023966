package com.parley.chat.gateway.client;

import java.time.Instant;

import com.parley.chat.gateway.auth.Caller;
import com.parley.chat.gateway.config.GatewayConfig;
import com.parley.chat.gateway.metrics.GatewayMetrics;
import com.parley.chat.gateway.protocol.Disconnect;
import com.parley.chat.gateway.protocol.EventFrame;

import io.netty.channel.EventLoop;
import io.quarkus.logging.Log;

/**
 * One client connection, whatever its transport: who it is (replaceable by a fresh token), when
 * it was last heard from, how fast it may send, and its {@link OutboundQueue}.
 */
public abstract class ClientConnection {

    protected final String connectionId;
    protected final Transport transport;
    protected final GatewayMetrics metrics;
    private final GatewayConfig.Limits limits;
    private final OutboundQueue outbound;
    private final RateLimiter inbound;
    private volatile Caller caller;
    private int refusedInARow;
    private volatile long lastHeardNanos = System.nanoTime();
    private volatile boolean closed;

    protected ClientConnection(String connectionId, Caller caller, Transport transport, ClientContext context) {
        this.connectionId = connectionId;
        this.caller = caller;
        this.transport = transport;
        this.metrics = context.metrics();
        this.limits = context.config().limits();
        this.outbound = new OutboundQueue(transport, limits.outboundQueueBytes(), limits.outboundStallTimeout(),
                metrics);
        this.inbound = new RateLimiter(limits.inboundRatePerSecond(), limits.inboundBurst());
    }

    /** A session event from the hub; each kind of client decides what reaches its socket. */
    public abstract void deliver(EventFrame event);

    public String connectionId() {
        return connectionId;
    }

    /** The event loop that owns this client's socket (null: unknown, write from anywhere). */
    public EventLoop loop() {
        return transport.loop();
    }

    public Caller caller() {
        return caller;
    }

    /** A fresh token for the same user and tenant extends the connection's life. */
    public boolean refresh(Caller fresh) {
        Caller current = caller;
        if (fresh == null || !fresh.tenantId().equals(current.tenantId()) || !fresh.userId().equals(current.userId())) {
            return false;
        }
        caller = fresh;
        return true;
    }

    public boolean expired(Instant now) {
        return caller.expiresAt() != null && !caller.expiresAt().isAfter(now);
    }

    public void heard() {
        lastHeardNanos = System.nanoTime();
    }

    /** WebSocket clients answer pings; an SSE stream only listens. */
    public boolean expectsHeartbeat() {
        return "ws".equals(transport.kind());
    }

    public long silentNanos() {
        return System.nanoTime() - lastHeardNanos;
    }

    /** Counts an inbound frame; false when it exceeds the rate. A flood closes the connection. */
    public boolean admitInbound() {
        if (inbound.tryAcquire()) {
            refusedInARow = 0;
            return true;
        }
        if (++refusedInARow >= limits.floodCloseAfter()) {
            close(Disconnect.FLOOD);
        }
        return false;
    }

    public boolean isClosed() {
        return closed;
    }

    /** A frame outside the session's sequence (connected, typing, presence, errors, acks). */
    public void deliverSignal(String frame) {
        write(frame, 0, null);
    }

    /** Queues a frame; a client that stopped reading is closed (it can resume), not buffered without end. */
    protected void write(String frame, long seq, Instant occurredAt) {
        if (!closed && !outbound.offer(frame, seq, occurredAt)) {
            slowConsumer("outbound queue full");
        }
    }

    /** Frames are waiting and the socket has taken none of them for the stall timeout. */
    public boolean stalled() {
        return outbound.stalled();
    }

    public void slowConsumer(String why) {
        if (!closed) {
            metrics.slowConsumerClosed();
            close(Disconnect.slowConsumer(why));
        }
    }

    public void close(Disconnect disconnect) {
        if (closed) {
            return;
        }
        closed = true;
        ended();
        Log.debugf("closing %s %s: %d %s", transport.kind(), connectionId, disconnect.code(), disconnect.reason());
        transport.close(disconnect.code(), disconnect.reason());
    }

    /** Marks the connection gone after the transport closed by itself. */
    public void closedByPeer() {
        if (!closed) {
            closed = true;
            ended();
        }
    }

    /** Called once when the connection ends, either way. */
    protected void ended() {
    }
}
