package com.parley.chat.gateway.sse;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import com.parley.chat.gateway.client.SharedFrames;
import com.parley.chat.gateway.client.Transport;

import io.netty.channel.EventLoop;

import io.vertx.core.Future;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerResponse;

/** Frames as Server-Sent Events: {@code id:} carries the seq, so Last-Event-ID resumes. */
final class SseTransport implements Transport {

    private static final String SESSION_ID = "\"session_id\":\"";

    private final HttpServerResponse response;
    private final HttpConnection socket;
    private final Duration closeGrace;
    /** A multi-channel stream's position per session (its event ids); null for one session's stream. */
    private final Map<String, Long> cursor;
    private final EventLoop loop;
    private Future<Void> lastWrite;

    SseTransport(HttpServerResponse response, HttpConnection socket, Duration closeGrace, Map<String, Long> cursor) {
        this.response = response;
        this.socket = socket;
        this.closeGrace = closeGrace;
        this.loop = Transport.loopOf(socket);
        this.cursor = cursor == null ? null : new LinkedHashMap<>(cursor);
    }

    @Override
    public void write(String frame, long seq, SharedFrames shared) {
        if (response.closed() || response.ended()) {
            return;
        }
        StringBuilder event = new StringBuilder(frame.length() + 32);
        if (seq > 0) {
            event.append("id: ").append(cursor == null ? Long.toString(seq) : advance(frame, seq)).append('\n');
        }
        event.append("data: ").append(frame).append("\n\n");
        lastWrite = response.write(event.toString());
    }

    /** Vert.x sends each write at once; {@code taken} follows the last. */
    @Override
    public boolean flush(Runnable taken) {
        Future<Void> last = lastWrite;
        lastWrite = null;
        if (last == null) {
            return false;
        }
        last.onComplete(result -> taken.run());
        return true;
    }

    @Override
    public long unsentBytes() {
        return Transport.unsentBytes(socket);
    }

    /** The cursor after this event of some session: {@code <session id>:<seq>,...}, every channel's position. */
    private synchronized String advance(String frame, long seq) {
        int at = frame.indexOf(SESSION_ID);
        if (at >= 0) {
            int start = at + SESSION_ID.length();
            cursor.put(frame.substring(start, frame.indexOf('"', start)), seq);
        }
        StringBuilder id = new StringBuilder();
        cursor.forEach((session, position) -> id.append(id.isEmpty() ? "" : ",").append(session).append(':')
                .append(position));
        return id.toString();
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
