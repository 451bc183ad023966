package com.parley.chat.api.service;

import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import com.parley.chat.api.config.ChatApiConfig;

/**
 * Writers of one session take turns here, before they open a transaction. The session's row lock
 * serializes them anyway; without this they would each hold a pool connection while they wait
 * for it, and one hot session could take every connection of the pool from every other tenant.
 * Here they wait without one: each instance spends at most one connection per session on its
 * writes. A writer that waits longer than {@code session-writes.wait}, or finds too many ahead of
 * it, gets 503 with Retry-After (its client_message_id makes the retry safe).
 */
@ApplicationScoped
public class SessionWrites {

    private static final class Turn {
        final Semaphore permit = new Semaphore(1, true);
        int holders; // writers that hold or wait for the permit; guarded by the map's compute
    }

    @Inject
    ChatApiConfig config;

    private final ConcurrentHashMap<UUID, Turn> turns = new ConcurrentHashMap<>();

    /** Runs {@code write} (which opens its own transaction) when it is this caller's turn on the session. */
    public <T> T inTurn(UUID sessionId, Supplier<T> write) {
        ChatApiConfig.SessionWrites limits = config.sessionWrites();
        Turn turn = turns.compute(sessionId, (id, existing) -> {
            Turn t = existing != null ? existing : new Turn();
            t.holders++;
            return t;
        });
        try {
            if (turn.holders > limits.maxWaiting() + 1) {
                throw Problems.sessionBusy();
            }
            if (!turn.permit.tryAcquire(limits.maxWait().toMillis(), TimeUnit.MILLISECONDS)) {
                throw Problems.sessionBusy();
            }
            try {
                return write.get();
            } finally {
                turn.permit.release();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw Problems.sessionBusy();
        } finally {
            turns.computeIfPresent(sessionId, (id, t) -> --t.holders == 0 ? null : t);
        }
    }

    /** Sessions with a writer in or waiting (0 when idle: nothing is kept per session). */
    int busySessions() {
        return turns.size();
    }
}
