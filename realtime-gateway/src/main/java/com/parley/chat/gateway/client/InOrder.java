package com.parley.chat.gateway.client;

import java.util.ArrayDeque;

import io.smallrye.mutiny.Uni;

/**
 * Runs asynchronous steps one after another, in the order they were handed over: the next is
 * subscribed to once the one before has ended, whether it succeeded or failed. A client's messages
 * to one session go to chat-api this way, so that they are stored (and get their seq) in the order
 * the client sent them; sent on at once, a burst of them was stored in whatever order chat-api's
 * requests happened to commit. Holds nothing until a step has to wait.
 */
public final class InOrder {

    private ArrayDeque<Uni<?>> waiting;
    private boolean running;

    /** Subscribes to {@code step} now if nothing runs, else once every step handed over before it has ended. */
    public void run(Uni<?> step) {
        synchronized (this) {
            if (running) {
                if (waiting == null) {
                    waiting = new ArrayDeque<>(4);
                }
                waiting.add(step);
                return;
            }
            running = true;
        }
        start(step);
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
