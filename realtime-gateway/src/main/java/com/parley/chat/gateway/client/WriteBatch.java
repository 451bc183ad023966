package com.parley.chat.gateway.client;

import java.util.ArrayList;
import java.util.List;

import io.netty.util.concurrent.FastThreadLocal;
import io.quarkus.logging.Log;

/**
 * The writes of one fan-out task on an event loop: the event being delivered lends its
 * {@link SharedFrames} to every socket's transport, and each socket written to is flushed once
 * when the task ends instead of once per frame (one system call per socket per batch of events).
 * Confined to the thread that began it.
 */
public final class WriteBatch {

    private static final FastThreadLocal<WriteBatch> CURRENT = new FastThreadLocal<>();

    private final List<OutboundQueue> unflushed = new ArrayList<>();
    private SharedFrames shared;
    private int framesDelivered;

    private WriteBatch() {
    }

    /** Begins a batch on this thread; {@link #end()} flushes and ends it. */
    public static WriteBatch begin() {
        WriteBatch batch = new WriteBatch();
        CURRENT.set(batch);
        return batch;
    }

    /** The batch under way on this thread, or null. */
    static WriteBatch current() {
        return CURRENT.getIfExists();
    }

    /** The encoding of the event being delivered, or null. */
    SharedFrames shared() {
        return shared;
    }

    /** The event delivered from now on (null: frames outside an event). */
    public void delivering(SharedFrames frames) {
        this.shared = frames;
    }

    /** A queue wrote frames it has not flushed: it is flushed at the end. */
    void flushAtEnd(OutboundQueue queue) {
        unflushed.add(queue);
    }

    /** A session event's frame was written in this batch. */
    void frameDelivered() {
        framesDelivered++;
    }

    /** Session event frames written in this batch, for the counter (one increment per batch). */
    public int framesDelivered() {
        return framesDelivered;
    }

    public void end() {
        shared = null;
        CURRENT.remove();
        for (OutboundQueue queue : unflushed) {
            try {
                queue.flush();
            } catch (RuntimeException bug) { // the other sockets are still flushed
                Log.errorf(bug, "flush failed");
            }
        }
    }
}
