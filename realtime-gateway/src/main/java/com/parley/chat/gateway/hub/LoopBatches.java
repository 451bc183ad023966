package com.parley.chat.gateway.hub;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import com.parley.chat.gateway.client.Subscription;

import io.netty.channel.EventLoop;

/**
 * The subscriptions that receive one event grouped by the event loop that owns their sockets, so that fan-out
 * costs one task per event loop instead of one hand-over per socket, and every write runs on the
 * socket's own thread. Tasks on one loop run in submission order: events stay in order.
 */
final class LoopBatches {

    private final List<EventLoop> loops = new ArrayList<>(4);
    private final List<List<Subscription>> batches = new ArrayList<>(4);

    void add(Subscription subscription) {
        EventLoop loop = subscription.connection().loop();
        int i = loops.indexOf(loop);
        if (i < 0) {
            loops.add(loop);
            batches.add(new ArrayList<>());
            i = loops.size() - 1;
        }
        batches.get(i).add(subscription);
    }

    void run(Consumer<Subscription> action) {
        for (int i = 0; i < loops.size(); i++) {
            EventLoop loop = loops.get(i);
            List<Subscription> batch = batches.get(i);
            if (loop == null || loop.inEventLoop()) {
                batch.forEach(action);
            } else {
                loop.execute(() -> batch.forEach(action));
            }
        }
    }
}
