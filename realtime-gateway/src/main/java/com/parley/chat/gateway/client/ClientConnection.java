package com.parley.chat.gateway.client;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.parley.chat.gateway.auth.Caller;
import com.parley.chat.gateway.config.GatewayConfig;
import com.parley.chat.gateway.metrics.GatewayMetrics;
import com.parley.chat.gateway.protocol.Disconnect;
import com.parley.chat.gateway.protocol.WireSize;

import io.netty.channel.EventLoop;
import io.quarkus.logging.Log;

/**
 * One client connection, whatever its transport, and the subscriptions it carries: who it is
 * (replaceable by a fresh token), when it was last heard from, how fast it may send, and its
 * {@link OutboundQueue}, which every subscription writes through so that frames stay in order.
 */
public final class ClientConnection {

    private final String connectionId;
    private final Transport transport;
    private final GatewayMetrics metrics;
    private final GatewayConfig.Limits limits;
    private final OutboundQueue outbound;
    private final RateLimiter inbound;
    private final long openedAtNanos = System.nanoTime();
    private final Map<String, Subscription> subscriptions = new LinkedHashMap<>();
    /** Channels whose latest subscribe frame waits for its admission, with that frame's turn. */
    private final Map<String, Long> admitting = new HashMap<>();
    private long turns;
    private volatile Caller caller;
    /**
     * What the once-a-second sweep reads of every connection, kept here rather than behind the
     * caller, its token's {@link Instant} and the transport: at 10,000 connections the sweep's cost
     * is the objects it touches (one fetch from memory each), not what it computes.
     */
    private volatile long expiresAtMillis;
    private final boolean expectsHeartbeat;
    /**
     * Refusals the connection may still earn before it is closed as a flood: a bucket of
     * {@code flood-close-after} that refills at the inbound rate, so that a client which keeps
     * sending faster than the rate is closed even when a frame gets through now and then (counted
     * in a row, the count started over at each of them), while one that overshoots once recovers.
     */
    private final RateLimiter patience;
    private volatile long lastHeardNanos = System.nanoTime();
    private volatile boolean closed;

    public ClientConnection(String connectionId, Caller caller, Transport transport, ClientContext context) {
        this.connectionId = connectionId;
        this.caller = caller;
        this.expiresAtMillis = expiresAtMillis(caller);
        this.expectsHeartbeat = "ws".equals(transport.kind()); // WebSocket clients answer pings; SSE only listens
        this.transport = transport;
        this.metrics = context.metrics();
        this.limits = context.config().limits();
        this.outbound = new OutboundQueue(transport, limits.outboundQueueBytes(), limits.outboundStallTimeout(),
                metrics);
        this.inbound = new RateLimiter(limits.inboundRatePerSecond(), limits.inboundBurst());
        this.patience = new RateLimiter(limits.inboundRatePerSecond(), limits.floodCloseAfter() - 1);
    }

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

    /** When the connection opened, for "the oldest of a user's connections". */
    public long openedAtNanos() {
        return openedAtNanos;
    }

    /** A fresh token for the same user and tenant extends the connection's life. */
    public boolean refresh(Caller fresh) {
        Caller current = caller;
        if (fresh == null || !fresh.tenantId().equals(current.tenantId()) || !fresh.userId().equals(current.userId())) {
            return false;
        }
        caller = fresh;
        expiresAtMillis = expiresAtMillis(fresh);
        return true;
    }

    private static long expiresAtMillis(Caller caller) {
        return caller.expiresAt() == null ? Long.MAX_VALUE : caller.expiresAt().toEpochMilli();
    }

    /** The token's expiry is at or before {@code nowMillis} (epoch milliseconds). */
    public boolean expired(long nowMillis) {
        return expiresAtMillis <= nowMillis;
    }

    public void heard() {
        lastHeardNanos = System.nanoTime();
    }

    /** WebSocket clients answer pings; an SSE stream only listens. */
    public boolean expectsHeartbeat() {
        return expectsHeartbeat;
    }

    /** An event stream (SSE) only listens: it cannot subscribe again, only come back with its Last-Event-ID. */
    public boolean receiveOnly() {
        return !expectsHeartbeat;
    }

    /** How long the client has been silent at {@code nowNanos} ({@link System#nanoTime()}). */
    public long silentNanos(long nowNanos) {
        return nowNanos - lastHeardNanos;
    }

    /** Counts an inbound frame; false when it exceeds the rate. A flood closes the connection. */
    public boolean admitInbound() {
        if (inbound.tryAcquire()) {
            return true;
        }
        if (!patience.tryAcquire()) {
            close(Disconnect.FLOOD);
        }
        return false;
    }

    // ---------------------------------------------------------------- subscriptions

    /** The subscription to a channel, or null. */
    public synchronized Subscription subscription(String channel) {
        return subscriptions.get(channel);
    }

    /** Adds a subscription unless the channel is taken or the connection holds its maximum. */
    public synchronized boolean add(Subscription subscription) {
        if (closed || subscriptions.containsKey(subscription.channel().name())
                || subscriptions.size() >= limits.subscriptionsPerConnection()) {
            return false;
        }
        subscriptions.put(subscription.channel().name(), subscription);
        return true;
    }

    /** A subscribe frame of {@code channel} goes to admission: its turn, which a later frame of the channel ends. */
    public synchronized long admitting(String channel) {
        turns += 1;
        admitting.put(channel, turns);
        return turns;
    }

    /**
     * Whether the admission of {@code turn} may start its subscription: true when no later subscribe
     * or unsubscribe of the channel came while it was asked (it is then forgotten).
     */
    public synchronized boolean admitted(String channel, long turn) {
        Long latest = admitting.get(channel);
        if (latest == null || latest != turn) {
            return false;
        }
        admitting.remove(channel);
        return true;
    }

    /** An unsubscribe: a subscribe of the channel still waiting for admission will not start; true if one was. */
    public synchronized boolean cancelAdmission(String channel) {
        return admitting.remove(channel) != null;
    }

    public synchronized Subscription remove(String channel) {
        return subscriptions.remove(channel);
    }

    public synchronized List<Subscription> subscriptions() {
        return new ArrayList<>(subscriptions.values());
    }

    // ---------------------------------------------------------------- writing

    public boolean isClosed() {
        return closed;
    }

    /** A frame outside a session's sequence (connected, typing, presence, errors, acks). */
    public void send(String frame) {
        write(frame, WireSize.of(frame), 0);
    }

    /**
     * Queues a frame of {@code bytes} on the wire (an event's size is counted once, not per socket); a
     * client that stopped reading is closed (it can resume), not buffered without end.
     */
    void write(String frame, long bytes, long seq) {
        if (!closed && !outbound.offer(frame, bytes, seq)) {
            slowConsumer("outbound queue full");
        }
    }

    /** Frames are waiting and the socket has taken none of them for the stall timeout, at {@code nowNanos}. */
    public boolean stalled(long nowNanos) {
        return outbound.stalled(nowNanos);
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
        ended();
        Log.debugf("closing %s %s: %d %s", transport.kind(), connectionId, disconnect.code(), disconnect.reason());
        transport.close(disconnect.code(), disconnect.reason());
    }

    /** Marks the connection gone after the transport closed by itself. */
    public void closedByPeer() {
        if (!closed) {
            ended();
        }
    }

    private void ended() {
        closed = true;
        subscriptions().forEach(Subscription::end);
    }
}
