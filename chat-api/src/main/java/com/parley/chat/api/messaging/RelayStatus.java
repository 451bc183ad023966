package com.parley.chat.api.messaging;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.Startup;

/**
 * What the outbox relay reports: its meters (backlog, publish latency, published, failures) and
 * the state its health check reads (last success, last error; never a payload).
 */
@Startup // the meters exist from the start, before the first pass
@ApplicationScoped
public class RelayStatus {

    private final AtomicLong backlog = new AtomicLong();
    private final AtomicReference<Instant> lastSuccess = new AtomicReference<>();
    private final AtomicReference<String> lastError = new AtomicReference<>();
    private final Timer publishLatency;
    private final Counter published;
    private final Counter failures;

    @Inject
    public RelayStatus(MeterRegistry registry) {
        registry.gauge("parley.outbox.backlog", backlog);
        publishLatency = Timer.builder("parley.outbox.publish.latency")
                .description("Time from the event's commit to Kafka's acknowledgement")
                .publishPercentileHistogram().register(registry);
        published = Counter.builder("parley.outbox.published").description("Events acknowledged by Kafka")
                .register(registry);
        failures = Counter.builder("parley.outbox.publish.failures").description("Failed publish attempts")
                .register(registry);
    }

    /** Rows not yet acknowledged by Kafka, as of the relay's last look. */
    public long backlog() {
        return backlog.get();
    }

    public Instant lastSuccess() {
        return lastSuccess.get();
    }

    public String lastError() {
        return lastError.get();
    }

    void backlog(long rows) {
        backlog.set(rows);
    }

    void acknowledged(Instant occurredAt) {
        publishLatency.record(Duration.between(occurredAt, Instant.now()));
    }

    void published(int count) {
        published.increment(count);
        if (count > 0) {
            lastSuccess.set(Instant.now());
        }
    }

    void failed(String error) {
        failures.increment();
        lastError.set(error);
    }

    /** A pass failed (its error is already set). */
    void attemptFailed() {
        failures.increment();
    }

    /** A send failed within a batch; the attempt is counted once by the loop. */
    void sendFailed(String error) {
        lastError.set(error);
    }

    void healthy() {
        lastError.set(null);
    }
}
