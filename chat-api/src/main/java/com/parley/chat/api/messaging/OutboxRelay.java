package com.parley.chat.api.messaging;

import java.time.Duration;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.TransactionPhase;
import jakarta.inject.Inject;

import com.parley.chat.api.config.ChatApiConfig;

import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;

/**
 * The relay's loop: publishes outbox rows to Kafka in id order, right after the commit that wrote
 * them (a commit wakes it), and retries with backoff while Kafka or the database is away. A row is
 * deleted only once Kafka acknowledged it (acks=all, idempotent producer), so an outage loses
 * nothing and, with one relay at a time, never reorders a session's events. Each pass is a
 * {@link RelayBatch}; what it reports is in {@link RelayStatus}.
 */
@ApplicationScoped
public class OutboxRelay {

    @Inject
    ChatApiConfig config;

    @Inject
    RelayBatch batch;

    @Inject
    OutboxProducer producer;

    @Inject
    RelayStatus status;

    private final Object signal = new Object();
    private boolean pending;
    private volatile boolean running;
    private Thread worker;
    /**
     * At start and after a failed pass: the next pass first drops what the topic already holds,
     * then starts with a fresh producer and a lone probe record.
     */
    private boolean recovering = true;

    void start(@Observes StartupEvent ignored) {
        if (!config.outbox().relayEnabled()) {
            Log.warn("the outbox relay is off (parley.chat-api.outbox.relay-enabled=false):"
                    + " something else must publish the outbox");
            return;
        }
        running = true;
        worker = Thread.ofPlatform().name("outbox-relay").daemon()
                .uncaughtExceptionHandler((thread, e) -> Log.errorf(e, "the outbox relay died"))
                .start(this::run);
    }

    /**
     * False when the relay's thread has ended while chat-api still runs (an Error, an interrupt):
     * nothing publishes the outbox any more, and only a restart brings it back (liveness).
     */
    public boolean alive() {
        return !running || worker == null || worker.isAlive();
    }

    void stop(@Observes ShutdownEvent ignored) {
        if (!config.outbox().relayEnabled()) {
            return; // it never ran: nothing acknowledged to delete, no producer to close
        }
        running = false;
        wake();
        if (worker != null) {
            try {
                worker.join(Duration.ofSeconds(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (worker == null || !worker.isAlive()) {
            batch.deleteAcknowledged(); // the last pass's rows; the relay's thread has ended
        }
        producer.close(Duration.ofSeconds(5));
    }

    void afterCommit(@Observes(during = TransactionPhase.AFTER_SUCCESS) OutboxWritten written) {
        wake();
    }

    public void wake() {
        synchronized (signal) {
            pending = true;
            signal.notifyAll();
        }
    }

    private void run() {
        Duration backoff = config.outbox().retryBackoffMin();
        while (running && !Thread.currentThread().isInterrupted()) {
            try {
                if (recovering) {
                    producer.renew();
                }
                RelayBatch.Result result = batch.publish(recovering);
                recovering = result.failed();
                if (result.failed()) {
                    status.attemptFailed();
                    pause(backoff);
                    backoff = min(backoff.multipliedBy(2), config.outbox().retryBackoffMax());
                    continue;
                }
                backoff = config.outbox().retryBackoffMin();
                if (result.published() < config.outbox().batchSize()) {
                    awaitWork(config.outbox().pollInterval());
                }
            } catch (RuntimeException e) {
                recovering = true;
                // typically the database is away; keep the cause short, never the payload
                status.failed(e.getClass().getSimpleName() + ": " + rootMessage(e));
                Log.warnf("outbox relay: %s; retrying in %s", status.lastError(), backoff);
                pause(backoff);
                backoff = min(backoff.multipliedBy(2), config.outbox().retryBackoffMax());
            }
        }
    }

    private void awaitWork(Duration timeout) {
        synchronized (signal) {
            if (!pending && running) {
                try {
                    signal.wait(timeout.toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt(); // ends the loop; alive() tells
                }
            }
            pending = false;
        }
    }

    private void pause(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // ends the loop; alive() tells
        }
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + (root.getMessage() == null ? "" : ": " + root.getMessage());
    }
}
