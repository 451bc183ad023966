package com.parley.chat.api.messaging;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Future;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.StringSerializer;

import com.parley.chat.api.config.ChatApiConfig;

import io.quarkus.logging.Log;
import io.smallrye.common.annotation.Identifier;

/**
 * The relay's Kafka producer (acks=all, idempotent, bounded waits) and the record an outbox row
 * becomes: key {@code tenant:session}, the JSON value, CloudEvents headers (docs/asyncapi.yaml).
 */
@ApplicationScoped
public class OutboxProducer {

    @Inject
    ChatApiConfig config;

    @Inject
    @Identifier("default-kafka-broker")
    Map<String, Object> kafkaConfig;

    private KafkaProducer<String, String> producer;

    /** Sends one row; the future completes when Kafka acknowledged it. */
    Future<RecordMetadata> send(OutboxRow row) {
        if (producer == null) {
            producer = new KafkaProducer<>(producerConfig());
        }
        return producer.send(toRecord(row));
    }

    /** A producer that failed sends keeps state (sequence numbers, expired batches) a fresh one has not. */
    void renew() {
        close(Duration.ZERO);
    }

    void close(Duration timeout) {
        if (producer == null) {
            return;
        }
        try {
            producer.close(timeout);
        } catch (RuntimeException e) {
            Log.debugf("closing the producer: %s", e.getMessage());
        }
        producer = null;
    }

    private ProducerRecord<String, String> toRecord(OutboxRow row) {
        ProducerRecord<String, String> record = new ProducerRecord<>(row.topic(), row.recordKey(), row.payload());
        header(record, "ce_specversion", "1.0");
        header(record, "ce_id", row.eventId().toString());
        header(record, "ce_type", row.ceType());
        header(record, "ce_source", config.outbox().ceSource());
        header(record, "ce_time", DateTimeFormatter.ISO_INSTANT.format(row.occurredAt()));
        header(record, "ce_subject", row.ceSubject());
        header(record, "content-type", "application/json");
        if (row.traceparent() != null) {
            // W3C trace context for Kafka consumers, and the CloudEvents distributed-tracing extension
            header(record, "traceparent", row.traceparent());
            header(record, "ce_traceparent", row.traceparent());
        }
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
}
