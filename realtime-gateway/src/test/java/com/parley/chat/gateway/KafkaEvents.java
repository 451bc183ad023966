package com.parley.chat.gateway;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Session events written straight to chat.message-events, as chat-api's outbox relay writes them
 * (value and CloudEvents headers; EventContractTest holds both to docs/asyncapi.yaml).
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
                        tenant + ":" + session, messageCreated(tenant, session, seq, content));
                headers(session).forEach((name, value) -> record.headers().add(new RecordHeader(name, value.getBytes())));
                producer.send(record);
            }
            producer.flush();
        }
    }

    /** The value of an assistant's MessageCreated event. */
    static String messageCreated(String tenant, String session, long seq, String content) {
        String now = Instant.now().toString();
        return "{\"type\":\"MessageCreated\",\"event_id\":\"" + UUID.randomUUID() + "\",\"tenant_id\":\"" + tenant
                + "\",\"session_id\":\"" + session + "\",\"seq\":" + seq + ",\"occurred_at\":\"" + now
                + "\",\"message_id\":\"" + UUID.randomUUID() + "\",\"role\":\"assistant\",\"content\":\"" + content
                + "\",\"sender_user_id\":\"assistant\",\"created_at\":\"" + now + "\",\"metadata\":{}}";
    }

    /** The CloudEvents headers of a MessageCreated record. */
    static Map<String, String> headers(String session) {
        return Map.of("ce_specversion", "1.0", "ce_id", UUID.randomUUID().toString(), "ce_type",
                "chat.message.created.v1", "ce_source", "/parley/chat-api", "ce_time", Instant.now().toString(),
                "ce_subject", session, "content-type", "application/json");
    }
}
