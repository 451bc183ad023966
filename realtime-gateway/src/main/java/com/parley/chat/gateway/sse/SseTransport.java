package com.parley.chat.gateway.sse;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import com.parley.chat.gateway.client.Transport;

import io.netty.channel.EventLoop;

import io.vertx.core.Future;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerResponse;

/** Frames as Server-Sent Events: {@code id:} carries the seq, so Last-Event-ID resumes. */
final class SseTransport implements Transport {

    private final HttpServerResponse response;
    private final HttpConnection socket;
    private final Duration closeGrace;
    private final EventLoop loop = Transport.currentLoop();

    SseTransport(HttpServerResponse response, HttpConnection socket, Duration closeGrace) {
        this.response = response;
        this.socket = socket;
        this.closeGrace = closeGrace;
    }

    @Override
    public CompletionStage<Void> write(String frame, long seq) {
        StringBuilder event = new StringBuilder(frame.length() + 32);
        if (seq > 0) {
            event.append("id: ").append(seq).append('\n');
        }
        event.append("data: ").append(frame).append("\n\n");
        CompletableFuture<Void> written = new CompletableFuture<>();
        if (response.closed() || response.ended()) {
            written.completeExceptionally(new IllegalStateException("stream closed"));
            return written;
        }
        response.write(event.toString()).onComplete(result -> {
            if (result.succeeded()) {
                written.complete(null);
            } else {
                written.completeExceptionally(result.cause());
            }
        });
        return written;
    }

    /** Keeps proxies from timing the stream out; a comment line the EventSource ignores. */
    void keepAlive() {
        if (!response.closed() && !response.ended()) {
            response.write(": keep-alive\n\n");
        }
    }

    @Override
    public void close(int code, String reason) {
        if (!response.closed() && !response.ended()) {
            Future<Void> ended = response.end("event: close\ndata: {\"type\":\"close\",\"code\":" + code + ",\"reason\":\""
                    + reason.replace("\"", "'") + "\"}\n\n");
            Transport.releaseAfter(socket, closeGrace, ended::isComplete);
        }
    }

    @Override
    public EventLoop loop() {
        return loop;
    }

    @Override
    public String kind() {
        return "sse";
    }
}
