package com.parley.chat.gateway.client;

import java.time.Duration;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;

import com.parley.chat.gateway.metrics.GatewayMetrics;
import com.parley.chat.gateway.protocol.WireSize;

import io.netty.channel.EventLoop;

/**
 * The frames on their way to one client (centrifuge's writer): bounded in bytes, in order, and
 * watched for a client that stops reading. Frames count until the socket took them (what waits
 * here plus what the transport has not sent); more than {@code maxBytes} waiting or nothing taken
 * for the stall timeout is a slow consumer that its owner closes (it can resume), never buffered
 * without end.
 *
 * <p>Frames reach the socket in the order of {@link #offer} calls, whatever thread makes them
 * (live events on the socket's event loop, history pages on the HTTP client's): they go through
 * one queue that only the socket's event loop empties. Offered on that loop, a frame is written at
 * once without a task, and flushed at once unless a {@link WriteBatch} is under way (the fan-out
 * flushes each socket once per batch).
 */
public final class OutboundQueue {

    private record Outgoing(String frame, long seq, long size) {
    }

    private final Transport transport;
    private final long maxBytes;
    private final long stallNanos;
    private final GatewayMetrics metrics;
    private final Queue<Outgoing> queue = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    /** Bytes of the frames in {@link #queue} (a field, not an AtomicLong: one object less to fetch per sweep). */
    private volatile long queuedBytes;
    private static final AtomicLongFieldUpdater<OutboundQueue> QUEUED_BYTES =
            AtomicLongFieldUpdater.newUpdater(OutboundQueue.class, "queuedBytes");
    private final Runnable taken = () -> {
        lastTakenNanos = System.nanoTime();
        FLUSHES_IN_FLIGHT.decrementAndGet(this);
    };
    private volatile long lastTakenNanos = System.nanoTime();
    /**
     * Flushes handed to the transport whose bytes the socket has not taken yet: with
     * {@link #queuedBytes}, what of this queue's frames still waits, known without asking the
     * channel (which the sweep would otherwise do for every connection every second).
     */
    private volatile int flushesInFlight;
    private static final AtomicIntegerFieldUpdater<OutboundQueue> FLUSHES_IN_FLIGHT =
            AtomicIntegerFieldUpdater.newUpdater(OutboundQueue.class, "flushesInFlight");
    /** Written but not flushed, waiting for the end of a {@link WriteBatch} (touched on the loop only). */
    private boolean flushPending;

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
    public boolean offer(String frame, long seq) {
        return offer(frame, WireSize.of(frame), seq);
    }

    /** {@link #offer(String, long)} for a frame whose size on the wire is known ({@code size}). */
    public boolean offer(String frame, long size, long seq) {
        boolean nothingWaits = nothingOfOursWaits();
        // with none of its own frames waiting, the socket holds a ping or two, or frames of this same
        // fan-out batch (they count from their flush on: the bound can be passed by one poll's frames)
        long waiting = nothingWaits ? 0 : pendingBytes();
        if (waiting + size > maxBytes) {
            return false;
        }
        if (nothingWaits) {
            lastTakenNanos = System.nanoTime(); // the stall clock starts with the first frame waiting
        }
        EventLoop loop = transport.loop();
        boolean onLoop = loop == null || loop.inEventLoop();
        if (onLoop && queue.isEmpty()) {
            // nothing ahead of it: no need to queue (the fan-out's usual case)
            WriteBatch batch = batchOnLoop();
            write(frame, seq, batch);
            flushOrDefer(batch);
            return true;
        }
        QUEUED_BYTES.addAndGet(this, size);
        queue.add(new Outgoing(frame, seq, size));
        if (onLoop) {
            drain();
        } else if (drainScheduled.compareAndSet(false, true)) {
            loop.execute(() -> {
                drainScheduled.set(false);
                drain();
            });
        }
        return true;
    }

    /**
     * Frames of this queue are waiting and the socket has taken none of them for the stall timeout.
     * Only this queue's frames count, never the socket's other bytes: websockets-next's pings do not
     * pass here, and a check that read the socket between a ping's write and its flush took an idle
     * socket for one that had taken nothing for longer than the timeout (a client that stops
     * reading stops answering pings too, and the heartbeat check closes it).
     */
    public boolean stalled() {
        return stalled(System.nanoTime());
    }

    /** {@link #stalled()} at {@code nowNanos} ({@link System#nanoTime()}; the sweep reads the clock once). */
    public boolean stalled(long nowNanos) {
        return !nothingOfOursWaits() && nowNanos - lastTakenNanos > stallNanos;
    }

    /** None of this queue's frames waits here or in a flush the socket has not taken. */
    private boolean nothingOfOursWaits() {
        // a frame written and not yet flushed (inside one event-loop task) counts in neither
        return flushesInFlight == 0 && queuedBytes == 0;
    }

    /** Bytes queued here or handed to the transport but not yet taken by the socket. */
    public long pendingBytes() {
        return queuedBytes + transport.unsentBytes();
    }

    private void drain() {
        WriteBatch batch = batchOnLoop();
        Outgoing next;
        boolean wrote = false;
        while ((next = queue.poll()) != null) {
            QUEUED_BYTES.addAndGet(this, -next.size());
            write(next.frame(), next.seq(), batch);
            wrote = true;
        }
        if (wrote) {
            flushOrDefer(batch);
        }
    }

    /** The fan-out batch under way on this socket's loop (looked up once per offer or drain), or null. */
    private WriteBatch batchOnLoop() {
        return transport.loop() == null ? null : WriteBatch.current();
    }

    private void write(String frame, long seq, WriteBatch batch) {
        transport.write(frame, seq, batch == null ? null : batch.shared());
        if (seq > 0) {
            if (batch == null) {
                metrics.framesDelivered(1);
            } else {
                batch.frameDelivered(); // counted once per batch, not once per socket
            }
        }
    }

    /** Flushes now, or at the end of the {@link WriteBatch} under way on this loop. */
    private void flushOrDefer(WriteBatch batch) {
        if (flushPending) {
            return;
        }
        if (batch == null) {
            flush();
        } else {
            flushPending = true;
            batch.flushAtEnd(this);
        }
    }

    void flush() {
        flushPending = false;
        FLUSHES_IN_FLIGHT.incrementAndGet(this); // before: the transport may call back at once
        if (!transport.flush(taken)) {
            FLUSHES_IN_FLIGHT.decrementAndGet(this);
        }
    }
}
