package com.parley.bench;

import java.util.Properties;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

import com.parley.infra.EventFixture;

import io.vertx.core.http.WebSocket;

/** Where the fan-out scenario publishes its events: Kafka for the gateway, a WebSocket for the bare server. */
interface Publisher extends AutoCloseable {

    void publish(String tenant, String session, long seq);

    void flush();

    @Override
    void close();

    /** A MessageCreated value as chat-api publishes it, carrying its send time for the latency. */
    static String event(String tenant, String session, long seq) {
        return EventFixture.messageCreated(tenant, session, seq, Fleet.MARK + System.nanoTime());
    }

    /**
     * Events as chat-api's outbox writes them, straight to chat.message-events; when traced, each
     * with a sampled W3C traceparent as chat-api's relay sends it with tracing on.
     */
    final class Kafka implements Publisher {
        private final KafkaProducer<String, String> producer;
        private final boolean traced;

        Kafka(Deployment system, boolean traced) {
            this.traced = traced;
            Properties props = new Properties();
            props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, system.infra.kafka().bootstrapServers());
            props.put(ProducerConfig.ACKS_CONFIG, "1");
            props.put(ProducerConfig.LINGER_MS_CONFIG, "1");
            producer = new KafkaProducer<>(props, new StringSerializer(), new StringSerializer());
        }

        @Override
        public void publish(String tenant, String session, long seq) {
            ProducerRecord<String, String> record = new ProducerRecord<>("chat.message-events",
                    tenant + ":" + session, event(tenant, session, seq));
            if (traced) {
                java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
                byte[] traceparent = "00-%016x%016x-%016x-01".formatted(random.nextLong(), random.nextLong() | 1,
                        random.nextLong() | 1).getBytes(java.nio.charset.StandardCharsets.UTF_8);
                record.headers().add("traceparent", traceparent).add("ce_traceparent", traceparent);
            }
            producer.send(record);
        }

        @Override
        public void flush() {
            producer.flush();
        }

        @Override
        public void close() {
            producer.close();
        }
    }

    /** The same events over one WebSocket to the bare server's /publish. */
    final class Bare implements Publisher {
        private final WebSocket socket;

        Bare(Fleet fleet, int port) {
            socket = fleet.vertx.createWebSocketClient().connect(port, "127.0.0.1", "/publish")
                    .toCompletionStage().toCompletableFuture().join();
        }

        @Override
        public void publish(String tenant, String session, long seq) {
            socket.writeTextMessage(event(tenant, session, seq));
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
            socket.close();
        }
    }
}
