package com.parley.chat.gateway.client;

import java.util.ArrayDeque;

import io.smallrye.mutiny.Uni;

/**
 * Runs asynchronous steps one after another, in the order they were handed over: the next is
 * subscribed to once the one before has ended, whether it succeeded or failed. A client's messages
 * to one session go to chat-api this way, so that they are stored (and get their seq) in the order
 * the client sent them; sent on at once, a burst of them was stored in whatever order chat-api's
 * requests happened to commit. Holds nothing until a step has to wait, and at most {@code capacity}
 * steps waiting.
 */
public final class InOrder {

    private final int capacity;
    private ArrayDeque<Uni<?>> waiting;
    private boolean running;

    /** @param capacity steps that may wait behind the running one */
    public InOrder(int capacity) {
        this.capacity = capacity;
    }

    /**
     * Subscribes to {@code step} now if nothing runs, else once every step handed over before it has
     * ended; false (and {@code step} never subscribed to) when {@code capacity} steps wait already.
     */
    public boolean run(Uni<?> step) {
        synchronized (this) {
            if (running) {
                if (waiting == null) {
                    waiting = new ArrayDeque<>(4);
                }
                if (waiting.size() >= capacity) {
                    return false;
                }
                waiting.add(step);
                return true;
            }
            running = true;
        }
        start(step);
        return true;
    }

    private void start(Uni<?> step) {
        step.subscribe().with(ignored -> next(), failure -> next());
    }

    private void next() {
        Uni<?> step;
        synchronized (this) {
            step = waiting == null ? null : waiting.poll();
            if (step == null) {
                running = false;
                waiting = null;
                return;
            }
        }
        start(step);
    }
}
