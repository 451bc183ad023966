package com.parley.chat.gateway.testing;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.parley.chat.gateway.client.Transport;

/**
 * A transport that keeps what is written to it (as centrifuge's hub tests do): the frames a
 * client would have received and how it was closed. The socket takes every write at once unless
 * the client is made to stop reading.
 */
public final class FakeTransport implements Transport {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<String> frames = new ArrayList<>();
    private long unsent;
    private boolean reading = true;
    private int closeCode;
    private String closeReason;

    @Override
    public synchronized void write(String frame, long seq) {
        frames.add(frame);
        if (!reading) {
            unsent += frame.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        }
    }

    @Override
    public void flush(Runnable taken) {
        if (reading) {
            taken.run();
        }
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
        return "ws";
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

    private static JsonNode parse(String frame) {
        try {
            return JSON.readTree(frame);
        } catch (java.io.IOException e) {
            throw new AssertionError("not JSON: " + frame, e);
        }
    }
}
