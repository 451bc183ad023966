package com.parley.chat.gateway.testing;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.parley.chat.gateway.client.SharedFrames;
import com.parley.chat.gateway.client.Transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.EventLoop;

/**
 * A transport that keeps what is written to it (as centrifuge's hub tests do): the frames a
 * client would have received and how it was closed. The socket takes every write at once unless
 * the client is made to stop reading. Given an event loop, it belongs to that loop as a socket
 * does, and notes what the WebSocket transport would notice: writes made off its loop, where the
 * flushes fell, and the shared encodings of a fan-out it was handed.
 */
public final class FakeTransport implements Transport {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final EventLoop loop;
    private final List<String> frames = new ArrayList<>();
    private final List<Integer> flushedAfter = new ArrayList<>();
    private final List<ByteBuf> shared = new ArrayList<>();
    private final List<byte[]> sharedBytes = new ArrayList<>();
    private int writesOffLoop;
    private long unsent;
    private boolean reading = true;
    private int closeCode;
    private String closeReason;
    private String kind = "ws";

    public FakeTransport() {
        this(null);
    }

    public FakeTransport(EventLoop loop) {
        this.loop = loop;
    }

    @Override
    public synchronized void write(String frame, long seq, SharedFrames event) {
        frames.add(frame);
        if (loop != null && !loop.inEventLoop()) {
            writesOffLoop++;
        }
        ByteBuf bytes = event == null ? null : event.duplicateOf(frame);
        if (bytes != null) {
            shared.add(bytes.unwrap());
            sharedBytes.add(ByteBufUtil.getBytes(bytes));
            bytes.release(); // as the socket does once it wrote them
        }
        if (!reading) {
            unsent += frame.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        }
    }

    @Override
    public synchronized boolean flush(Runnable taken) {
        flushedAfter.add(frames.size());
        if (reading) {
            taken.run();
        }
        return true;
    }

    @Override
    public EventLoop loop() {
        return loop;
    }

    /** How many frames had been written at each flush, in order. */
    public synchronized List<Integer> flushedAfter() {
        return List.copyOf(flushedAfter);
    }

    /** The shared encodings (the buffers under the duplicates) of the event frames handed to this socket. */
    public synchronized List<ByteBuf> shared() {
        return List.copyOf(shared);
    }

    /** The bytes of each shared encoding as they were written (a WebSocket frame each). */
    public synchronized List<byte[]> sharedBytes() {
        return List.copyOf(sharedBytes);
    }

    public synchronized int writesOffLoop() {
        return writesOffLoop;
    }

    @Override
    public synchronized long unsentBytes() {
        return unsent;
    }

    @Override
    public synchronized void close(int code, String reason) {
        if (closeCode == 0) {
            closeCode = code;
            closeReason = reason;
        }
    }

    @Override
    public String kind() {
        return kind;
    }

    /** Stands for another transport ({@code "sse"}). */
    public FakeTransport kind(String kind) {
        this.kind = kind;
        return this;
    }

    /**
     * Bytes on the socket that did not come through the outbound queue and are not taken yet (a
     * ping between its write and its flush, or stuck behind a client that does not read).
     */
    public synchronized void pendingOutsideQueue(long bytes) {
        unsent = bytes;
    }

    /** From now on writes stay unsent, as on a socket whose client does not read. */
    public synchronized void stopReading() {
        reading = false;
    }

    public synchronized List<String> frames() {
        return List.copyOf(frames);
    }

    /** The frames written, parsed. */
    public synchronized List<JsonNode> json() {
        return frames.stream().map(FakeTransport::parse).toList();
    }

    /** The types of the frames written, in order. */
    public List<String> types() {
        return json().stream().map(f -> f.path("type").asText()).toList();
    }

    /** The seq of every event frame written, in order. */
    public List<Long> seqs() {
        return json().stream().filter(f -> f.has("seq")).map(f -> f.get("seq").asLong()).toList();
    }

    public synchronized int closeCode() {
        return closeCode;
    }

    public synchronized String closeReason() {
        return closeReason;
    }

    /** One frame as JSON (a test fails on anything else). */
    public static JsonNode parse(String frame) {
        try {
            return JSON.readTree(frame);
        } catch (java.io.IOException e) {
            throw new AssertionError("not JSON: " + frame, e);
        }
    }
}
