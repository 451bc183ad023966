package com.parley.chat.api.messaging;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.TransactionPhase;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.StringSerializer;

import com.parley.chat.api.config.ChatApiConfig;
import com.parley.chat.api.domain.OutboxEntry;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.logging.Log;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;

/**
 * Publishes outbox rows to Kafka in id order, right after the commit that wrote them (a commit
 * wakes the relay), and retries with backoff while Kafka or the database is away. A row is deleted
 * only once Kafka acknowledged it (acks=all, idempotent producer), so an outage loses nothing and,
 * with one relay at a time (a Postgres advisory lock), never reorders a session's events.
 */
@ApplicationScoped
public class OutboxRelay {

    /** Advisory lock key: one relay publishes at a time across chat-api replicas. */
    static final long RELAY_LOCK_KEY = 0x5061726c65794f62L;

    @Inject
    ChatApiConfig config;

    @Inject
    @Identifier("default-kafka-broker")
    Map<String, Object> kafkaConfig;

    @Inject
    EntityManager entityManager;

    @Inject
    MeterRegistry registry;

    private final Object signal = new Object();
    private boolean pending;
    private volatile boolean running;
    private Thread worker;
    private KafkaProducer<String, String> producer;
    /** Set after a failed send: the next batch starts with a fresh producer and a lone probe record. */
    private boolean recovering;

    private final AtomicLong backlog = new AtomicLong();
    private final AtomicReference<Instant> lastSuccess = new AtomicReference<>();
    private final AtomicReference<String> lastError = new AtomicReference<>();
    private Timer publishLatency;
    private Counter published;
    private Counter failures;

    void start(@Observes StartupEvent ignored) {
        producer = new KafkaProducer<>(producerConfig());
        registry.gauge("parley.outbox.backlog", backlog);
        publishLatency = Timer.builder("parley.outbox.publish.latency")
                .description("Time from the event's commit to Kafka's acknowledgement")
                .publishPercentileHistogram().register(registry);
        published = Counter.builder("parley.outbox.published").description("Events acknowledged by Kafka")
                .register(registry);
        failures = Counter.builder("parley.outbox.publish.failures").description("Failed publish attempts")
                .register(registry);
        running = true;
        worker = Thread.ofPlatform().name("outbox-relay").daemon().start(this::run);
    }

    void stop(@Observes ShutdownEvent ignored) {
        running = false;
        wake();
        if (worker != null) {
            try {
                worker.join(Duration.ofSeconds(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (producer != null) {
            producer.close(Duration.ofSeconds(5));
        }
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

    private void run() {
        Duration backoff = config.outbox().retryBackoffMin();
        while (running) {
            try {
                if (recovering) {
                    renewProducer();
                }
                BatchResult result = publishBatch();
                recovering = result.failed();
                if (result.failed()) {
                    failures.increment();
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
                failures.increment();
                lastError.set(e.getClass().getSimpleName() + ": " + rootMessage(e));
                Log.warnf("outbox relay: %s; retrying in %s", lastError.get(), backoff);
                pause(backoff);
                backoff = min(backoff.multipliedBy(2), config.outbox().retryBackoffMax());
            }
        }
    }

    private record BatchResult(int published, boolean failed) {
    }

    private BatchResult publishBatch() {
        return QuarkusTransaction.requiringNew().call(() -> {
            Boolean locked = (Boolean) entityManager.createNativeQuery("select pg_try_advisory_xact_lock(?1)")
                    .setParameter(1, RELAY_LOCK_KEY).getSingleResult();
            if (!Boolean.TRUE.equals(locked)) {
                return new BatchResult(0, false); // another replica is relaying
            }
            List<OutboxEntry> batch = OutboxEntry.oldest(config.outbox().batchSize());
            if (batch.isEmpty()) {
                backlog.set(0);
                return new BatchResult(0, false);
            }
            if (recovering && batch.size() > 1) {
                // After a failure the first record goes alone: an idempotent producer can fail the
                // first send after an outage while later ones succeed, which would reorder a session.
                batch = batch.subList(0, 1);
            }
            List<Future<RecordMetadata>> sends = new ArrayList<>(batch.size());
            for (OutboxEntry entry : batch) {
                sends.add(producer.send(toRecord(entry)));
            }
            List<Long> acked = new ArrayList<>(batch.size());
            long deadline = System.nanoTime() + config.outbox().sendTimeout().toNanos();
            boolean failed = false;
            for (int i = 0; i < batch.size(); i++) {
                OutboxEntry entry = batch.get(i);
                try {
                    sends.get(i).get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                    acked.add(entry.id);
                    publishLatency.record(Duration.between(entry.occurredAt, Instant.now()));
                } catch (Exception e) {
                    if (!failed) {
                        lastError.set("kafka: " + rootMessage(e));
                        Log.warnf("outbox relay: Kafka did not acknowledge event %s: %s", entry.eventId,
                                lastError.get());
                    }
                    failed = true;
                }
            }
            OutboxEntry.deleteIds(acked);
            published.increment(acked.size());
            if (!acked.isEmpty()) {
                lastSuccess.set(Instant.now());
            }
            if (!failed) {
                lastError.set(null);
            }
            // a full batch means more may wait: count them; otherwise what was there is published
            // (a count per batch was a quarter of the relay's CPU at 50 messages/s)
            backlog.set(failed || batch.size() == config.outbox().batchSize() ? OutboxEntry.count() : 0);
            return new BatchResult(acked.size(), failed);
        });
    }

    /** A producer that failed sends keeps state (sequence numbers, expired batches) a fresh one has not. */
    private void renewProducer() {
        try {
            producer.close(Duration.ZERO);
        } catch (RuntimeException e) {
            Log.debugf("closing the failed producer: %s", e.getMessage());
        }
        producer = new KafkaProducer<>(producerConfig());
    }

    private ProducerRecord<String, String> toRecord(OutboxEntry entry) {
        ProducerRecord<String, String> record = new ProducerRecord<>(entry.topic, entry.recordKey, entry.payload);
        header(record, "ce_specversion", "1.0");
        header(record, "ce_id", entry.eventId.toString());
        header(record, "ce_type", entry.ceType);
        header(record, "ce_source", config.outbox().ceSource());
        header(record, "ce_time", DateTimeFormatter.ISO_INSTANT.format(entry.occurredAt));
        header(record, "ce_subject", entry.ceSubject);
        header(record, "content-type", "application/json");
        return record;
    }

    private static void header(ProducerRecord<String, String> record, String name, String value) {
        record.headers().add(new RecordHeader(name, value.getBytes(StandardCharsets.UTF_8)));
    }

    private Map<String, Object> producerConfig() {
        Map<String, Object> props = new HashMap<>();
        kafkaConfig.forEach((key, value) -> {
            if (ProducerConfig.configNames().contains(key)) {
                props.put(key, value);
            }
        });
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
        props.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, 1);
        props.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "chat-api-outbox-relay");
        // bounded waits while Kafka is away: the relay retries the batch rather than blocking forever
        props.putIfAbsent(ProducerConfig.MAX_BLOCK_MS_CONFIG, 5000);
        props.putIfAbsent(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000);
        props.putIfAbsent(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 10000);
        props.putIfAbsent(ProducerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 1000);
        return props;
    }

    private void awaitWork(Duration timeout) {
        synchronized (signal) {
            if (!pending && running) {
                try {
                    signal.wait(timeout.toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    running = false;
                }
            }
            pending = false;
        }
    }

    private void pause(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + (root.getMessage() == null ? "" : ": " + root.getMessage());
    }
}
