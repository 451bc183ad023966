package com.parley.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** {@code deploy/local/events.sh}: what an integrator sees of the topics, against a real broker. */
class EventsCliTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void eachRecordIsOneJsonLineWithItsKeyHeadersAndValueFromNowOnOrFromTheBeginningForOneTenant() throws Exception {
        String bootstrap = ChatInfra.get().kafka().bootstrapServers();
        String topic = "chat.message-events";
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap), new StringSerializer(), new StringSerializer())) {
            send(producer, topic, "acme:s1", "{\"type\":\"MessageCreated\",\"tenant_id\":\"acme\",\"seq\":1}");
            send(producer, topic, "other:s9", "{\"type\":\"MessageCreated\",\"tenant_id\":\"other\",\"seq\":1}");

            List<JsonNode> now;
            try (var consumer = EventsCli.consumer(bootstrap)) {
                EventsCli.follow(consumer, topic, false); // from now on: what is on the topic already is not shown
                send(producer, topic, "acme:s1", "{\"type\":\"MessageDeleted\",\"tenant_id\":\"acme\",\"seq\":2}");
                send(producer, topic, "acme:s2", "not json");
                now = lines(consumer, null, 2);
            }
            // two partitions' records, in no order between them; none of what was there before
            Map<String, JsonNode> byKey = new java.util.TreeMap<>();
            now.forEach(line -> byKey.put(line.path("key").asText(), line));
            assertEquals(List.of("acme:s1", "acme:s2"), List.copyOf(byKey.keySet()));
            JsonNode deleted = byKey.get("acme:s1");
            assertEquals(topic, deleted.path("topic").asText());
            assertEquals("chat.message.deleted.v1", deleted.path("headers").path("ce_type").asText());
            assertEquals("MessageDeleted", deleted.path("value").path("type").asText(), "the value as JSON, for jq");
            assertEquals(2, deleted.path("value").path("seq").asInt());
            assertTrue(deleted.path("offset").isIntegralNumber());
            assertEquals("not json", byKey.get("acme:s2").path("value").asText(), "a value that is no JSON stays text");

            try (var consumer = EventsCli.consumer(bootstrap)) {
                EventsCli.follow(consumer, topic, true);
                List<JsonNode> other = lines(consumer, "other", 1);
                assertEquals("other:s9", other.getFirst().path("key").asText(), "--tenant: only that tenant's");
            }
        }
    }

    private static void send(KafkaProducer<String, String> producer, String topic, String key, String value)
            throws Exception {
        ProducerRecord<String, String> record = new ProducerRecord<>(topic, key, value);
        String type = value.contains("MessageDeleted") ? "chat.message.deleted.v1" : "chat.message.created.v1";
        record.headers().add("ce_type", type.getBytes(StandardCharsets.UTF_8));
        producer.send(record).get();
    }

    private static List<JsonNode> lines(org.apache.kafka.clients.consumer.KafkaConsumer<byte[], byte[]> consumer,
            String tenant, int max) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        EventsCli.print(consumer, tenant, max, new PrintStream(out, true, StandardCharsets.UTF_8));
        List<JsonNode> lines = new java.util.ArrayList<>();
        for (String line : out.toString(StandardCharsets.UTF_8).split("\n")) {
            lines.add(JSON.readTree(line));
        }
        assertEquals(max, lines.size(), out.toString(StandardCharsets.UTF_8));
        return lines;
    }
}
