package com.parley.chat.gateway.hub;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;

import com.parley.chat.gateway.client.SharedFrames;
import com.parley.chat.gateway.client.Subscription;
import com.parley.chat.gateway.client.WriteBatch;
import com.parley.chat.gateway.metrics.GatewayMetrics;

import io.netty.channel.EventLoop;
import io.quarkus.logging.Log;

/**
 * The subscriptions that receive a batch of events (or one signal) grouped by the event loop that
 * owns their sockets, so that fan-out costs one task per event loop and batch instead of one
 * hand-over per socket, every write runs on the socket's own thread, and each socket is flushed
 * once per batch ({@link WriteBatch}). Tasks on one loop run in submission order and deliver in the
 * order of {@link #add}: events stay in order.
 */
final class LoopBatches {

    /** What one loop delivers: pairs of (the event's shared frames or null, subscription), in order. */
    private static final class Batch {
        final List<SharedFrames> events = new ArrayList<>();
        final List<Subscription> receivers = new ArrayList<>();
        final List<SharedFrames> distinct = new ArrayList<>();
    }

    private final List<EventLoop> loops = new ArrayList<>(4);
    private final List<Batch> batches = new ArrayList<>(4);
    private final List<SharedFrames> encoded = new ArrayList<>();
    private SharedFrames current;

    /** The event the next {@link #add}s receive (null: a signal). */
    void event(SharedFrames frames) {
        current = frames;
        if (frames != null) {
            encoded.add(frames);
        }
    }

    void add(Subscription subscription) {
        EventLoop loop = subscription.connection().loop();
        int i = 0;
        while (i < loops.size() && loops.get(i) != loop) {
            i++;
        }
        if (i == loops.size()) {
            loops.add(loop);
            batches.add(new Batch());
        }
        Batch batch = batches.get(i);
        batch.events.add(current);
        batch.receivers.add(subscription);
        if (current != null && (batch.distinct.isEmpty() || batch.distinct.getLast() != current)) {
            current.retain(); // the loop's reference, given back when it is done
            batch.distinct.add(current);
        }
    }

    /**
     * Runs {@code action} for every receiver on its loop; afterwards each loop records the delivery
     * latency of each of its events once, and the fan-out's own references to the frames are released.
     */
    void run(BiConsumer<Subscription, SharedFrames> action, GatewayMetrics metrics) {
        for (int i = 0; i < loops.size(); i++) {
            EventLoop loop = loops.get(i);
            Batch batch = batches.get(i);
            if (loop == null || loop.inEventLoop()) {
                deliver(batch, action, metrics);
            } else {
                loop.execute(() -> deliver(batch, action, metrics));
            }
        }
        encoded.forEach(SharedFrames::release);
    }

    private static void deliver(Batch batch, BiConsumer<Subscription, SharedFrames> action, GatewayMetrics metrics) {
        WriteBatch writes = WriteBatch.begin();
        try {
            for (int i = 0; i < batch.receivers.size(); i++) {
                SharedFrames frames = batch.events.get(i);
                writes.delivering(frames);
                try {
                    action.accept(batch.receivers.get(i), frames);
                } catch (RuntimeException bug) { // one receiver's failure is not the others'
                    Log.errorf(bug, "delivery to connection %s failed",
                            batch.receivers.get(i).connection().connectionId());
                }
            }
        } finally {
            writes.end();
            metrics.framesDelivered(writes.framesDelivered());
            for (SharedFrames frames : batch.distinct) {
                metrics.deliveryLatency(frames.event().occurredAt());
                frames.release();
            }
        }
    }
}
