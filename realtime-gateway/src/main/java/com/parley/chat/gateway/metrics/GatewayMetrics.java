package com.parley.chat.gateway.metrics;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.Startup;

/** The gateway's meters (Prometheus at /q/metrics); names are listed in docs/operations.md. */
@Startup // every meter exists from the start, before the first connection
@ApplicationScoped
public class GatewayMetrics {

    private final MeterRegistry registry;

    private final AtomicInteger openConnections = new AtomicInteger();
    private Counter framesDelivered;
    private Timer deliveryLatency;
    private Counter slowConsumerCloses;
    private Counter recoveries;
    private Counter resyncs;
    /** Labelled counters, looked up once per label value (a registry lookup per connection costs). */
    private final Map<String, Counter> admissions = new ConcurrentHashMap<>();
    private final Map<String, Counter> refusals = new ConcurrentHashMap<>();
    private final Map<String, Timer> chatApiRequests = new ConcurrentHashMap<>();

    @Inject
    public GatewayMetrics(MeterRegistry registry) {
        this.registry = registry;
        registry.gauge("parley.gateway.connections.open", openConnections);
        framesDelivered = Counter.builder("parley.gateway.frames.delivered")
                .description("Session frames with a seq written to clients (events, and a resync's new position)").register(registry);
        deliveryLatency = Timer.builder("parley.gateway.delivery.latency")
                .description("From the event's occurred_at to the frame written on a socket")
                .publishPercentileHistogram().register(registry);
        slowConsumerCloses = Counter.builder("parley.gateway.slow_consumer.closes")
                .description("Clients closed because they did not read").register(registry);
        recoveries = Counter.builder("parley.gateway.recoveries")
                .description("Replays started: a client resuming after last_seq, or a gap in the live stream")
                .register(registry);
        resyncs = Counter.builder("parley.gateway.resyncs")
                .description("Clients told to resync because they were too far behind").register(registry);
    }

    public void opened() {
        openConnections.incrementAndGet();
    }

    public void closed() {
        openConnections.decrementAndGet();
    }

    /** Session event frames handed to clients' sockets (a fan-out batch counts its frames once). */
    public void framesDelivered(int count) {
        if (count > 0) {
            framesDelivered.increment(count);
        }
    }

    /**
     * The time from an event to its frames written, sampled: recorded once per event and event
     * loop by the fan-out, not once per socket.
     */
    public void deliveryLatency(Instant occurredAt) {
        if (occurredAt != null) {
            deliveryLatency.record(Duration.between(occurredAt, Instant.now()));
        }
    }

    public void slowConsumerClosed() {
        slowConsumerCloses.increment();
    }

    public void recovery() {
        recoveries.increment();
    }

    public void resync() {
        resyncs.increment();
    }

    /** A session subscription admitted or refused, by what decided it: role, token or chat-api. */
    public void sessionAdmitted(String by) {
        admissions.computeIfAbsent(by, tag -> registry.counter("parley.gateway.session.admissions", "by", tag))
                .increment();
    }

    public void refusedUpgrade(String reason) {
        refusals.computeIfAbsent(reason, tag -> registry.counter("parley.gateway.upgrades.refused", "reason", tag))
                .increment();
    }

    /**
     * A request to chat-api answered or failed, from the moment it was sent: {@code call} says which
     * (post, access, history, claim, read, workload, figures), {@code status} its HTTP status, or 0
     * when it got none (no connection, or no answer within the wait).
     */
    public void chatApiRequest(String call, int status, long nanos) {
        String outcome = status == 0 ? "none" : (status / 100) + "xx";
        chatApiRequests.computeIfAbsent(call + ' ' + outcome, key -> Timer.builder("parley.gateway.chatapi.requests")
                .description("Requests to chat-api, from sent to answered (outcome none: no answer)")
                .tags("call", call, "outcome", outcome).publishPercentileHistogram().register(registry))
                .record(nanos, TimeUnit.NANOSECONDS);
    }
}
