package com.parley.bench;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiConsumer;

import org.HdrHistogram.Recorder;

import io.vertx.core.Vertx;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;

/**
 * Many WebSocket clients in this JVM (Vert.x, non-blocking). Each client keeps the seqs it has
 * seen, so that lost, duplicated and out-of-order frames are counted, and records the latency of
 * every benchmark message (the sender's {@code System.nanoTime()} travels in its content).
 */
final class Fleet implements AutoCloseable {

    static final String MARK = "bench:";

    final Vertx vertx = Vertx.vertx();
    final Recorder latencyMicros = new Recorder(3);
    final LongAdder frames = new LongAdder();
    /** What a client that sends messages is told of each: its {@code message_ack} or {@code error} frame. */
    volatile BiConsumer<Conn, String> answers = (c, text) -> { };
    private final WebSocketClient client;

    Fleet() {
        this("127.0.0.1");
    }

    /**
     * @param localAddress the loopback address the clients connect from: one address has about
     *        28,000 ephemeral ports, so each server's fleet gets its own (127.0.0.2, ...)
     */
    Fleet(String localAddress) {
        client = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxConnections(100_000)
                .setConnectTimeout(60_000).setMaxFrameSize(262_144).setLocalAddress(localAddress));
    }

    /** One client: a session it follows on a server it is connected to. */
    final class Conn {
        final String tenant;
        final String session;
        final String token;
        /** chat-api's subscription token for the session (null: the gateway asks chat-api). */
        volatile String subscriptionToken;
        volatile int port;
        volatile WebSocket socket;
        volatile int closeCode = -1;
        volatile String closeReason;
        volatile long connectedAt;
        volatile Runnable onClose = () -> { };
        private final BitSet seen = new BitSet();
        private long contiguous;
        private long maxSeq;
        private long received;
        private long duplicates;
        private long outOfOrder;

        Conn(String tenant, String session, String token, long startSeq) {
            this.tenant = tenant;
            this.session = session;
            this.token = token;
            this.contiguous = startSeq;
            this.maxSeq = startSeq;
        }

        CompletableFuture<Conn> connect(int port, String pathPrefix) {
            this.port = port;
            closeCode = -1;
            connectedAt = 0;
            WebSocketConnectOptions options = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port)
                    .setURI(pathPrefix + tenant + "/session/" + session + "?last_seq=" + lastSeq()
                            + (subscriptionToken == null ? "" : "&subscription_token=" + subscriptionToken));
            if (token != null) {
                options.addHeader("Authorization", "Bearer " + token);
            }
            // handlers before the handshake: the first frame can arrive before any callback runs
            ClientWebSocket ws = client.webSocket();
            ws.textMessageHandler(this::onFrame);
            ws.closeHandler(ignored -> {
                Short code = ws.closeStatusCode();
                closeCode = code == null ? 1006 : code;
                closeReason = ws.closeReason();
                onClose.run();
            });
            socket = ws;
            return ws.connect(options).toCompletionStage().toCompletableFuture().thenApply(ignored -> this);
        }

        synchronized long lastSeq() {
            return contiguous;
        }

        private void onFrame(String text) {
            record(text, System.nanoTime());
        }

        /** Counts an event frame of this client's session (or notes the greeting). */
        void record(String text, long now) {
            if (text.startsWith("{\"type\":\"connected\"")) {
                connectedAt = now;
                return;
            }
            if (text.startsWith("{\"type\":\"message_ack\"") || text.startsWith("{\"type\":\"error\"")) {
                answers.accept(this, text);
                return;
            }
            if (!text.startsWith("{\"type\":\"message_created\"")) {
                return;
            }
            frames.increment();
            long seq = number(text, "\"seq\":");
            int mark = text.indexOf(MARK);
            if (mark > 0) {
                long sent = number(text, MARK);
                latencyMicros.recordValue(Math.max(0, (now - sent) / 1000));
            }
            synchronized (this) {
                received++;
                if (seen.get((int) seq)) {
                    duplicates++;
                    return;
                }
                seen.set((int) seq);
                if (seq < maxSeq) {
                    outOfOrder++;
                }
                maxSeq = Math.max(maxSeq, seq);
                while (seen.get((int) contiguous + 1)) {
                    contiguous++;
                }
            }
        }

        /** Events up to {@code lastSeq} that never arrived (after {@code startSeq}). */
        synchronized long lost(long startSeq, long lastSeq) {
            long missing = 0;
            for (long s = startSeq + 1; s <= lastSeq; s++) {
                if (!seen.get((int) s)) {
                    missing++;
                }
            }
            return missing;
        }

        synchronized long duplicates() {
            return duplicates;
        }

        synchronized long outOfOrder() {
            return outOfOrder;
        }

        synchronized long received() {
            return received;
        }

        void close() {
            WebSocket ws = socket;
            if (ws != null && closeCode == -1) {
                try {
                    ws.close();
                } catch (IllegalStateException notConnected) {
                    // the handshake never completed
                }
            }
        }
    }

    Conn conn(String tenant, String session, String token, long startSeq) {
        return new Conn(tenant, session, token, startSeq);
    }

    /**
     * One multiplexed connection ({@code /ws/{tenant}}) following several sessions: every frame is
     * routed by its {@code channel} to the session's tracker, which counts it as a one-session
     * client would (lost, duplicated, out of order, latency).
     */
    final class MultiConn {
        final Map<String, Conn> bySession = new LinkedHashMap<>();
        final String tenant;
        final String token;
        volatile long connectedAt;
        volatile int subscribed;

        MultiConn(String tenant, String token, List<String> sessions, long startSeq) {
            this.tenant = tenant;
            this.token = token;
            sessions.forEach(s -> bySession.put(s, new Conn(tenant, s, token, startSeq)));
        }

        CompletableFuture<MultiConn> connect(int port) {
            WebSocketConnectOptions options = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port)
                    .setURI("/ws/" + tenant).addHeader("Authorization", "Bearer " + token);
            ClientWebSocket ws = client.webSocket();
            ws.textMessageHandler(text -> onFrame(ws, text));
            return ws.connect(options).toCompletionStage().toCompletableFuture().thenApply(ignored -> this);
        }

        private void onFrame(WebSocket ws, String text) {
            long now = System.nanoTime();
            int at = text.indexOf("\"channel\":\"session:");
            if (at < 0) {
                if (text.startsWith("{\"type\":\"connected\"")) {
                    connectedAt = now;
                    for (Conn c : bySession.values()) {
                        ws.writeTextMessage("{\"type\":\"subscribe\",\"channel\":\"session:" + c.session
                                + "\",\"last_seq\":" + c.lastSeq() + "}");
                    }
                }
                return;
            }
            int from = at + "\"channel\":\"session:".length();
            Conn c = bySession.get(text.substring(from, text.indexOf('"', from)));
            if (c == null) {
                return;
            }
            if (text.startsWith("{\"type\":\"subscribed\"")) {
                subscribed++;
            } else {
                c.record(text, now);
            }
        }
    }

    MultiConn multiConn(String tenant, String token, List<String> sessions, long startSeq) {
        return new MultiConn(tenant, token, sessions, startSeq);
    }

    /**
     * Connects all, at most {@code parallel} handshakes at a time. A refused handshake (a 503 while
     * the server is busy) is tried again after a pause, as a real client does; returns how many
     * refusals there were. Fails when a client cannot connect after 10 attempts.
     */
    static int connectAll(List<Conn> conns, int port, String pathPrefix, int parallel) {
        Semaphore permits = new Semaphore(parallel);
        AtomicInteger refusals = new AtomicInteger();
        List<CompletableFuture<Conn>> pending = new ArrayList<>();
        for (Conn c : conns) {
            permits.acquireUninterruptibly();
            pending.add(connectWithRetry(c, port, pathPrefix, 10, refusals)
                    .whenComplete((ok, failure) -> permits.release()));
        }
        CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).join();
        return refusals.get();
    }

    private static CompletableFuture<Conn> connectWithRetry(Conn c, int port, String pathPrefix, int attempts,
            AtomicInteger refusals) {
        return c.connect(port, pathPrefix).handle((ok, failure) -> {
            if (failure == null) {
                return CompletableFuture.completedFuture(ok);
            }
            if (attempts <= 1) {
                return CompletableFuture.<Conn>failedFuture(failure);
            }
            refusals.incrementAndGet();
            return CompletableFuture.supplyAsync(() -> null,
                    CompletableFuture.delayedExecutor(200L * (11 - attempts), TimeUnit.MILLISECONDS))
                    .thenCompose(ignored -> connectWithRetry(c, port, pathPrefix, attempts - 1, refusals));
        }).thenCompose(f -> f);
    }

    static long number(String text, String after) {
        int i = text.indexOf(after) + after.length();
        long value = 0;
        while (i < text.length() && Character.isDigit(text.charAt(i))) {
            value = value * 10 + (text.charAt(i++) - '0');
        }
        return value;
    }

    @Override
    public void close() {
        client.close();
        vertx.close();
    }
}
