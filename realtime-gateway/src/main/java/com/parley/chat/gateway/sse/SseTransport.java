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
    private static final String RESYNC = "{\"type\":\"resync_required\"";
    private static final String LAST_SEQ = "\"last_seq\":";

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
        long position = seq > 0 ? seq : resyncedTo(frame);
        if (position > 0) {
            event.append("id: ").append(cursor == null ? Long.toString(position) : advance(frame, position))
                    .append('\n');
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

    /**
     * The seq a {@code resync_required} frame moves its session to (the stream continues after its
     * {@code last_seq}), else 0: it is a position like an event's, so that an EventSource that comes
     * back names it, rather than the seq it was told to leave, and is not sent to resync again.
     */
    private static long resyncedTo(String frame) {
        if (!frame.startsWith(RESYNC)) {
            return 0;
        }
        int at = frame.indexOf(LAST_SEQ);
        if (at < 0) {
            return 0;
        }
        int start = at + LAST_SEQ.length();
        int end = start;
        while (end < frame.length() && Character.isDigit(frame.charAt(end))) {
            end++;
        }
        return end == start ? 0 : Long.parseLong(frame, start, end, 10);
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
