package com.parley.chat.api;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Predicate;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringDeserializer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.parley.infra.ChatInfra;

/** Reads chat.message-events with a plain Kafka consumer, as another service would. */
final class EventTopic implements AutoCloseable {

    static final String TOPIC = "chat.message-events";
    private static final ObjectMapper JSON = new ObjectMapper();

    record Event(String key, JsonNode value, Map<String, String> headers, int partition, long offset) {
        long seq() {
            return value.get("seq").asLong();
        }

        String type() {
            return value.get("type").asText();
        }
    }

    private final KafkaConsumer<String, String> consumer;
    private final String topic;

    EventTopic() {
        this(TOPIC);
    }

    EventTopic(String topic) {
        this.topic = topic;
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, ChatInfra.get().kafka().bootstrapServers());
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        consumer = new KafkaConsumer<>(props);
    }

    /**
     * Every record of the topic matching {@code filter}: waits until {@code expected} arrived or time
     * ran out, then reads two seconds more, so that a duplicate or a late extra record shows up too.
     */
    List<Event> read(Predicate<Event> filter, int expected, Duration timeout) {
        List<Event> found = new ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        long settleUntil = Long.MAX_VALUE;
        boolean assigned = false;
        while (System.nanoTime() < Math.min(deadline, settleUntil)) {
            if (found.size() >= expected && settleUntil == Long.MAX_VALUE) {
                settleUntil = System.nanoTime() + Duration.ofSeconds(2).toNanos();
            }
            if (!assigned) {
                var partitions = consumer.partitionsFor(topic, Duration.ofSeconds(5));
                if (partitions == null || partitions.isEmpty()) {
                    continue;
                }
                List<TopicPartition> tps = partitions.stream()
                        .map(p -> new TopicPartition(topic, p.partition())).toList();
                consumer.assign(tps);
                consumer.seekToBeginning(tps);
                assigned = true;
            }
            for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                Event event = toEvent(record);
                if (filter.test(event)) {
                    found.add(event);
                }
            }
        }
        return found;
    }

    List<Event> forSession(String sessionId, int expected, Duration timeout) {
        return read(e -> sessionId.equals(e.value().path("session_id").asText()), expected, timeout);
    }

    private static Event toEvent(ConsumerRecord<String, String> record) {
        Map<String, String> headers = new HashMap<>();
        for (Header header : record.headers()) {
            headers.put(header.key(), new String(header.value(), StandardCharsets.UTF_8));
        }
        try {
            return new Event(record.key(), JSON.readTree(record.value()), headers, record.partition(),
                    record.offset());
        } catch (Exception e) {
            throw new IllegalStateException("record value is not JSON: " + record.value(), e);
        }
    }

    @Override
    public void close() {
        consumer.close();
    }
}
