package com.parley.chat.gateway;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** A real WebSocket client (the JDK's) that records every frame it receives. */
final class WsClient implements WebSocket.Listener, AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    final LinkedBlockingQueue<JsonNode> frames = new LinkedBlockingQueue<>();
    final CompletableFuture<Integer> closeCode = new CompletableFuture<>();
    private final StringBuilder partial = new StringBuilder();
    private WebSocket socket;

    static WsClient connect(String url, String token) {
        return connect(url, Map.of("Authorization", "Bearer " + token));
    }

    static WsClient connect(String url, Map<String, String> headers) {
        WsClient client = new WsClient();
        WebSocket.Builder builder = HTTP.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5));
        headers.forEach((name, value) -> {
            if (name.equalsIgnoreCase("Sec-WebSocket-Protocol")) {
                String[] protocols = value.split(",\\s*");
                builder.subprotocols(protocols[0], java.util.Arrays.copyOfRange(protocols, 1, protocols.length));
            } else {
                builder.header(name, value);
            }
        });
        client.socket = builder.buildAsync(URI.create(url), client).orTimeout(10, TimeUnit.SECONDS).join();
        return client;
    }

    /** The HTTP status a refused upgrade got, or 101 when it was accepted. */
    static int upgradeStatus(String url, Map<String, String> headers) {
        try {
            WsClient client = connect(url, headers);
            client.close();
            return 101;
        } catch (java.util.concurrent.CompletionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof java.net.http.WebSocketHandshakeException handshake) {
                return handshake.getResponse().statusCode();
            }
            throw e;
        }
    }

    /** The answer to an upgrade the gateway refused (its status and headers); fails when it was accepted. */
    static java.net.http.HttpResponse<?> refusedUpgrade(String url, Map<String, String> headers) {
        try {
            connect(url, headers).close();
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof java.net.http.WebSocketHandshakeException handshake) {
                return handshake.getResponse();
            }
            throw e;
        }
        throw new AssertionError("the upgrade of " + url + " was accepted");
    }

    void send(String frame) {
        socket.sendText(frame, true).join();
    }

    /** A WebSocket ping control frame (not the JSON {@code ping}); false once the socket is closed. */
    boolean sendPing() {
        return sent(() -> socket.sendPing(java.nio.ByteBuffer.allocate(0)));
    }

    /** An unsolicited WebSocket pong control frame; false once the socket is closed. */
    boolean sendPong() {
        return sent(() -> socket.sendPong(java.nio.ByteBuffer.allocate(0)));
    }

    /** A binary message (the protocol is JSON text); false once the socket is closed. */
    boolean sendBinary(byte[] data) {
        return sent(() -> socket.sendBinary(java.nio.ByteBuffer.wrap(data), true));
    }

    private static boolean sent(java.util.function.Supplier<CompletableFuture<WebSocket>> send) {
        try {
            send.get().join();
            return true;
        } catch (java.util.concurrent.CompletionException closed) {
            return false;
        }
    }

    void sendJson(Map<String, Object> frame) {
        try {
            send(JSON.writeValueAsString(frame));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The next frame matching {@code filter}; frames before it are dropped. */
    JsonNode await(Predicate<JsonNode> filter, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (true) {
                long left = deadline - System.nanoTime();
                JsonNode frame = left <= 0 ? null : frames.poll(left, TimeUnit.NANOSECONDS);
                if (frame == null) {
                    throw new AssertionError("no matching frame within " + timeout);
                }
                if (filter.test(frame)) {
                    return frame;
                }
            }
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    JsonNode awaitType(String type) {
        return await(f -> type.equals(f.path("type").asText()), Duration.ofSeconds(15));
    }

    /** Every frame of the given types that arrives within {@code window}. */
    List<JsonNode> collect(Predicate<JsonNode> filter, int expected, Duration timeout) {
        List<JsonNode> found = new ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (found.size() < expected) {
                long left = deadline - System.nanoTime();
                JsonNode frame = left <= 0 ? null : frames.poll(left, TimeUnit.NANOSECONDS);
                if (frame == null) {
                    break;
                }
                if (filter.test(frame)) {
                    found.add(frame);
                }
            }
            // a short look for extras: a duplicate would show here
            JsonNode extra;
            while ((extra = frames.poll(500, TimeUnit.MILLISECONDS)) != null) {
                if (filter.test(extra)) {
                    found.add(extra);
                }
            }
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
        return found;
    }

    int awaitClose(Duration timeout) {
        return closeCode.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS).join();
    }

    @Override
    public void onOpen(WebSocket webSocket) {
        webSocket.request(1);
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        partial.append(data);
        if (last) {
            try {
                frames.add(JSON.readTree(partial.toString()));
            } catch (Exception e) {
                throw new IllegalStateException("server sent a frame that is not JSON: " + partial, e);
            }
            partial.setLength(0);
        }
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        closeCode.complete(statusCode);
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        closeCode.complete(-1);
    }

    @Override
    public void close() {
        if (!socket.isOutputClosed()) {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").exceptionally(e -> null);
        }
        socket.abort();
    }
}
