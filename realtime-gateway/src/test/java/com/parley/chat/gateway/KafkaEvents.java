package com.parley.chat.gateway;

import java.util.Map;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.StringSerializer;

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
}
