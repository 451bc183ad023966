package com.parley.chat.gateway.client;

import java.time.Instant;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import com.parley.chat.gateway.auth.Caller;
import com.parley.chat.gateway.config.GatewayConfig;
import com.parley.chat.gateway.hub.GatewayMetrics;

import io.netty.channel.EventLoop;
import io.quarkus.logging.Log;

/**
 * What every client connection has: its caller (replaceable by a fresh token), a bounded outbound
 * queue, an inbound rate limit and the time it was last heard from.
 */
public abstract class ClientConnection implements Subscriber {

    protected final String connectionId;
    protected final Transport transport;
    protected final GatewayConfig config;
    protected final GatewayMetrics metrics;
    private volatile Caller caller;
    private final AtomicInteger pendingWrites = new AtomicInteger();
    private final AtomicLong pendingBytes = new AtomicLong();
    private volatile long lastWrittenNanos = System.nanoTime();
    private final Queue<Outgoing> outbox = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private final RateLimiter inbound;
    private int refusedInARow;
    private volatile long lastHeardNanos = System.nanoTime();
    private volatile boolean closed;

    protected ClientConnection(String connectionId, Caller caller, Transport transport, GatewayConfig config,
            GatewayMetrics metrics) {
        this.connectionId = connectionId;
        this.caller = caller;
        this.transport = transport;
        this.config = config;
        this.metrics = metrics;
        this.inbound = new RateLimiter(config.limits().inboundRatePerSecond(), config.limits().inboundBurst());
    }

    @Override
    public String connectionId() {
        return connectionId;
    }

    /** The event loop that owns this client's socket (null: unknown, write from anywhere). */
    public EventLoop loop() {
        return transport.loop();
    }

    @Override
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
        if (++refusedInARow >= config.limits().floodCloseAfter()) {
            close(CloseCodes.POLICY_VIOLATION, "too many frames");
        }
        return false;
    }

    public boolean isClosed() {
        return closed;
    }

    /**
     * Writes a frame unless the client stopped reading: then it is closed (and can resume), not
     * buffered without end. Frames count until the socket took them; a burst that the socket drains
     * is fine, more than {@code outbound-queue-bytes} waiting is not.
     *
     * <p>Frames reach the socket in the order of these calls, whatever thread makes them (live
     * events on the socket's event loop, history pages on the HTTP client's): they go through one
     * queue that only the socket's event loop empties.
     */
    protected void write(String frame, long seq, Instant occurredAt) {
        if (closed) {
            return;
        }
        long size = frame.length();
        if (pendingBytes.addAndGet(size) > config.limits().outboundQueueBytes()) {
            pendingBytes.addAndGet(-size);
            slowConsumer("outbound queue full");
            return;
        }
        if (pendingWrites.getAndIncrement() == 0) {
            lastWrittenNanos = System.nanoTime();
        }
        EventLoop loop = transport.loop();
        if (loop == null) {
            send(new Outgoing(frame, seq, occurredAt, size));
            return;
        }
        outbox.add(new Outgoing(frame, seq, occurredAt, size));
        if (loop.inEventLoop()) {
            drain();
        } else if (drainScheduled.compareAndSet(false, true)) {
            loop.execute(() -> {
                drainScheduled.set(false);
                drain();
            });
        }
    }

    private record Outgoing(String frame, long seq, Instant occurredAt, long size) {
    }

    private void drain() {
        Outgoing next;
        while ((next = outbox.poll()) != null) {
            send(next);
        }
    }

    private void send(Outgoing out) {
        transport.write(out.frame(), out.seq()).whenComplete((ok, failure) -> {
            pendingWrites.decrementAndGet();
            pendingBytes.addAndGet(-out.size());
            lastWrittenNanos = System.nanoTime();
            if (failure == null && out.seq() > 0) {
                metrics.delivered(out.occurredAt());
            }
        });
    }

    /** Frames are waiting and the socket has taken none of them for the stall timeout. */
    public boolean stalled() {
        return pendingWrites.get() > 0
                && System.nanoTime() - lastWrittenNanos > config.limits().outboundStallTimeout().toNanos();
    }

    public void slowConsumer(String why) {
        if (!closed) {
            metrics.slowConsumerClosed();
            close(CloseCodes.TRY_AGAIN_LATER, "slow consumer: " + why);
        }
    }

    @Override
    public void deliverSignal(String frame) {
        write(frame, 0, null);
    }

    @Override
    public void close(int code, String reason) {
        if (closed) {
            return;
        }
        closed = true;
        Log.debugf("closing %s %s: %d %s", transport.kind(), connectionId, code, reason);
        transport.close(code, reason);
    }

    /** Marks the connection gone after the transport closed by itself. */
    public void closedByPeer() {
        closed = true;
    }
}
