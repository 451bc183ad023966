package com.parley.chat.gateway;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/** Session events written straight to chat.message-events, as chat-api's outbox relay writes them. */
final class KafkaEvents {

    private KafkaEvents() {
    }

    /** {@code count} MessageCreated events with seq {@code firstSeq}, ... and content of {@code size} chars. */
    static void produce(String bootstrap, String tenant, String session, long firstSeq, int count, int size) {
        String content = "x".repeat(size);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(
                Map.of("bootstrap.servers", bootstrap, "acks", "all"), new StringSerializer(), new StringSerializer())) {
            for (long seq = firstSeq; seq < firstSeq + count; seq++) {
                String now = Instant.now().toString();
                producer.send(new ProducerRecord<>("chat.message-events", tenant + ":" + session,
                        "{\"type\":\"MessageCreated\",\"event_id\":\"" + UUID.randomUUID() + "\",\"tenant_id\":\""
                                + tenant + "\",\"session_id\":\"" + session + "\",\"seq\":" + seq
                                + ",\"occurred_at\":\"" + now + "\",\"message_id\":\"" + UUID.randomUUID()
                                + "\",\"role\":\"assistant\",\"content\":\"" + content
                                + "\",\"sender_user_id\":\"assistant\",\"created_at\":\"" + now
                                + "\",\"client_message_id\":null,\"metadata\":{}}"));
            }
            producer.flush();
        }
    }
}
