package com.parley.chat.api.messaging;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;

import io.smallrye.common.annotation.Identifier;

/**
 * What the topic already holds of the outbox: the event ids ({@code ce_id}) of the last records of
 * every partition. The relay reads them before it sends again after a crash or a failed pass and
 * deletes the rows that did reach Kafka although their deletion never committed, so nothing is
 * published twice: the outbox pattern's duplicate window, closed by looking at the other side.
 * Only the relay writes the topic and one relay runs at a time, so such rows are always among the
 * last {@code batch-size} records of their partition.
 */
@ApplicationScoped
public class PublishedTail {

    @Inject
    @Identifier("default-kafka-broker")
    Map<String, Object> kafkaConfig;

    /**
     * The {@code ce_id} of up to {@code perPartition} last records of each partition. Throws when
     * Kafka does not answer within {@code timeout} (the relay then retries later).
     */
    Set<String> recentEventIds(String topic, int perPartition, Duration timeout) {
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(KafkaReaders.config(kafkaConfig, "chat-api-outbox-tail"))) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, timeout).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, timeout);
            Map<TopicPartition, Long> begins = consumer.beginningOffsets(partitions, timeout);
            Set<TopicPartition> reading = new HashSet<>();
            for (TopicPartition partition : partitions) {
                long end = ends.get(partition);
                if (end > begins.get(partition)) {
                    consumer.seek(partition, Math.max(begins.get(partition), end - perPartition));
                    reading.add(partition);
                }
            }
            consumer.pause(partitions.stream().filter(p -> !reading.contains(p)).toList());
            Set<String> ids = new HashSet<>();
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!reading.isEmpty() && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    Header id = record.headers().lastHeader("ce_id");
                    if (id != null) {
                        ids.add(new String(id.value(), StandardCharsets.UTF_8));
                    }
                }
                reading.removeIf(partition -> {
                    boolean done = consumer.position(partition) >= ends.get(partition);
                    if (done) {
                        consumer.pause(List.of(partition));
                    }
                    return done;
                });
            }
            if (!reading.isEmpty()) {
                throw new IllegalStateException("the topic's last records did not arrive within " + timeout);
            }
            return ids;
        }
    }
}
