package com.parley.chat.gateway.messaging;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;

/**
 * The session event stream, read by a Kafka consumer on a thread of its own that hands each poll's
 * records straight to {@link EventConsumer} (and from there to the event loops): the hot path has
 * no messaging framework between the broker and the fan-out (no per-poll worker hand-over, reactive
 * pipeline or context propagation: a third of the gateway's CPU at 10,000 frames/s went there).
 * The other topics (signals, notices) stay on SmallRye Reactive Messaging.
 *
 * <p>Every instance reads every event: a consumer group of its own, from the latest offset, never
 * committing. After a reassignment (a broker restart, a long pause) the consumer may have skipped
 * events; {@link CatchUpOnRebalance} sends every local client to history for them. The consumer's
 * settings are the application's {@code kafka.*} ones (bootstrap servers, security), as chat-api's
 * relay takes them.
 */
@ApplicationScoped
public class EventStream {

    private static final Duration POLL = Duration.ofMillis(500);
    private static final Duration RETRY = Duration.ofSeconds(1);

    @Inject
    @Identifier("default-kafka-broker")
    Map<String, Object> kafka;

    @Inject
    EventConsumer events;

    @Inject
    CatchUpOnRebalance catchUp;

    @Inject
    MeterRegistry registry;

    @ConfigProperty(name = "parley.gateway.events.topic", defaultValue = "chat.message-events")
    String topic;

    private volatile boolean running;
    private volatile KafkaConsumer<String, String> consumer;
    private volatile boolean assigned;
    private volatile long lastPollNanos = System.nanoTime();
    private Thread thread;

    void start(@Observes StartupEvent startup) {
        running = true;
        thread = Thread.ofPlatform().name("parley-event-stream").daemon().start(this::run);
    }

    void stop(@Observes ShutdownEvent shutdown) throws InterruptedException {
        running = false;
        KafkaConsumer<String, String> current = consumer;
        if (current != null) {
            current.wakeup();
        }
        if (thread != null) {
            thread.join(Duration.ofSeconds(5));
        }
    }

    /** The consumer has its partitions (events published from now on reach this instance). */
    public boolean assigned() {
        return assigned;
    }

    /** The thread polled within {@code within} (it is alive and not stuck in the fan-out). */
    public boolean pollingWithin(Duration within) {
        return running && thread != null && thread.isAlive() && System.nanoTime() - lastPollNanos < within.toNanos();
    }

    private void run() {
        while (running) {
            try (KafkaConsumer<String, String> current = new KafkaConsumer<>(settings());
                    KafkaClientMetrics metrics = new KafkaClientMetrics(current)) {
                metrics.bindTo(registry); // kafka_consumer_fetch_manager_records_lag_max and the others
                consumer = current;
                current.subscribe(List.of(topic), new Rebalance());
                while (running) {
                    ConsumerRecords<String, String> records = current.poll(POLL);
                    lastPollNanos = System.nanoTime();
                    if (!records.isEmpty()) {
                        fanOut(records);
                    }
                }
            } catch (WakeupException stopping) {
                return;
            } catch (RuntimeException failure) {
                assigned = false;
                if (!running) {
                    return;
                }
                Log.errorf(failure, "the event stream failed; a new consumer in %s", RETRY);
                pause();
            }
        }
    }

    /** A failure in the fan-out is a bug: logged, and the stream goes on (clients fill gaps from history). */
    private void fanOut(ConsumerRecords<String, String> records) {
        try {
            events.onEvents(records);
        } catch (RuntimeException bug) {
            Log.errorf(bug, "fan-out of %d records failed", records.count());
        }
    }

    private Map<String, Object> settings() {
        Map<String, Object> settings = new HashMap<>(kafka);
        settings.put(ConsumerConfig.GROUP_ID_CONFIG, "realtime-gateway-" + UUID.randomUUID());
        settings.put(ConsumerConfig.CLIENT_ID_CONFIG, "parley-gateway-events");
        settings.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        settings.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        settings.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        settings.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        return settings;
    }

    private void pause() {
        try {
            Thread.sleep(RETRY);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            assigned = true;
            catchUp.assigned(partitions);
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            assigned = false;
        }
    }
}
