package com.parley.chat.gateway;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import com.fasterxml.jackson.databind.ObjectMapper;

import com.parley.infra.EventFixture;

/**
 * Session events written straight to chat.message-events, as chat-api's outbox relay writes them
 * (the shared EventFixture: value and CloudEvents headers).
 */
final class KafkaEvents {

    private KafkaEvents() {
    }

    /** {@code count} MessageCreated events with seq {@code firstSeq}, ... and content of {@code size} chars. */
    static void produce(String bootstrap, String tenant, String session, long firstSeq, int count, int size) {
        String content = "x".repeat(size);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(
                Map.of("bootstrap.servers", bootstrap, "acks", "all"), new StringSerializer(), new StringSerializer())) {
            for (long seq = firstSeq; seq < firstSeq + count; seq++) {
                ProducerRecord<String, String> record = new ProducerRecord<>("chat.message-events",
                        tenant + ":" + session, EventFixture.messageCreated(tenant, session, seq, content));
                EventFixture.messageCreatedHeaders(session).forEach((name, value) -> record.headers().add(new RecordHeader(name, value.getBytes())));
                producer.send(record);
            }
            producer.flush();
        }
    }

    /** The seq of every record of the session on chat.message-events, in topic order. */
    static List<Long> seqsOnTopic(String bootstrap, String tenant, String session) {
        ObjectMapper json = new ObjectMapper();
        String key = tenant + ":" + session;
        List<Long> seqs = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of("bootstrap.servers", bootstrap),
                new StringDeserializer(), new StringDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor("chat.message-events").stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < ends.get(p))) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("could not read chat.message-events to its end");
                }
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
                    if (key.equals(record.key())) {
                        seqs.add(json.readTree(record.value()).path("seq").asLong());
                    }
                }
            }
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        return seqs;
    }
}
