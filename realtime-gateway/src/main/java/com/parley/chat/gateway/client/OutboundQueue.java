package com.parley.chat.gateway.client;

import java.time.Duration;
import java.time.Instant;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import com.parley.chat.gateway.metrics.GatewayMetrics;
import com.parley.chat.gateway.protocol.WireSize;

import io.netty.channel.EventLoop;

/**
 * The frames on their way to one client (centrifuge's writer): bounded in bytes, in order, and
 * watched for a client that stops reading. Frames count until the socket took them; a burst the
 * socket drains is fine, more than {@code maxBytes} waiting or nothing taken for the stall
 * timeout is a slow consumer that its owner closes (it can resume), never buffered without end.
 *
 * <p>Frames reach the socket in the order of {@link #offer} calls, whatever thread makes them
 * (live events on the socket's event loop, history pages on the HTTP client's): they go through
 * one queue that only the socket's event loop empties. Offered on that loop, a frame is written
 * at once without a task.
 */
public final class OutboundQueue {

    private record Outgoing(String frame, long seq, Instant occurredAt, long size) {
    }

    private final Transport transport;
    private final long maxBytes;
    private final long stallNanos;
    private final GatewayMetrics metrics;
    private final Queue<Outgoing> queue = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private final AtomicInteger pendingWrites = new AtomicInteger();
    private final AtomicLong pendingBytes = new AtomicLong();
    private volatile long lastWrittenNanos = System.nanoTime();

    public OutboundQueue(Transport transport, long maxBytes, Duration stallTimeout, GatewayMetrics metrics) {
        this.transport = transport;
        this.maxBytes = maxBytes;
        this.stallNanos = stallTimeout.toNanos();
        this.metrics = metrics;
    }

    /**
     * Queues a frame ({@code seq} 0 for frames outside the session's sequence); false when the
     * client already has {@code maxBytes} waiting: the frame is not queued and the client is slow.
     */
    public boolean offer(String frame, long seq, Instant occurredAt) {
        return offer(frame, WireSize.of(frame), seq, occurredAt);
    }

    /** {@link #offer(String, long, Instant)} for a frame whose size on the wire is known ({@code size}). */
    public boolean offer(String frame, long size, long seq, Instant occurredAt) {
        if (pendingBytes.addAndGet(size) > maxBytes) {
            pendingBytes.addAndGet(-size);
            return false;
        }
        if (pendingWrites.getAndIncrement() == 0) {
            lastWrittenNanos = System.nanoTime();
        }
        Outgoing out = new Outgoing(frame, seq, occurredAt, size);
        EventLoop loop = transport.loop();
        if (loop == null) {
            send(out);
            return true;
        }
        queue.add(out);
        if (loop.inEventLoop()) {
            drain();
        } else if (drainScheduled.compareAndSet(false, true)) {
            loop.execute(() -> {
                drainScheduled.set(false);
                drain();
            });
        }
        return true;
    }

    /** Frames are waiting and the socket has taken none of them for the stall timeout. */
    public boolean stalled() {
        return pendingWrites.get() > 0 && System.nanoTime() - lastWrittenNanos > stallNanos;
    }

    /** Bytes (as UTF-8 on the wire) written but not yet taken by the socket. */
    public long pendingBytes() {
        return pendingBytes.get();
    }

    private void drain() {
        Outgoing next;
        while ((next = queue.poll()) != null) {
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
}
