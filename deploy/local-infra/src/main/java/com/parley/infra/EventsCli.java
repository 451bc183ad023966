package com.parley.infra;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * What the services publish, as an integrator's consumer would read it: every record of a topic of
 * the local system as one JSON line (topic, partition, offset, key, headers, value), from now on
 * or from the beginning, for a look or for {@code jq}:
 * {@code EventsCli [--topic chat.message-events] [--from-beginning] [--tenant T] [--max N]}. It
 * reads without a consumer group (nothing is committed, no group is left behind).
 */
public final class EventsCli {

    static final Set<String> TOPICS = Set.of("chat.message-events", "chat.tenant-events", "chat.signals");
    private static final String USAGE = "usage: events.sh [--topic chat.message-events|chat.tenant-events|chat.signals]"
            + " [--from-beginning] [--tenant acme] [--max N] [--bootstrap-server 127.0.0.1:59092]";
    private static final CommandLine LINE = new CommandLine("events.sh: ", USAGE);
    private static final ObjectMapper JSON = new ObjectMapper();

    private EventsCli() {
    }

    public static void main(String[] args) {
        String bootstrap = "127.0.0.1:" + LocalSystem.KAFKA_PORT;
        String topic = "chat.message-events";
        boolean fromBeginning = false;
        String tenant = null;
        long max = Long.MAX_VALUE;
        for (int i = 0; i < args.length; i++) {
            String value = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--topic" -> topic = LINE.require(args[i], value);
                case "--tenant" -> tenant = LINE.require(args[i], value);
                case "--max" -> max = count(LINE.require(args[i], value));
                case "--bootstrap-server" -> bootstrap = LINE.require(args[i], value);
                case "--from-beginning" -> {
                    fromBeginning = true;
                    continue;
                }
                case "--help", "-h" -> {
                    System.out.println(USAGE);
                    System.out.println("  each record of the topic as one JSON line (topic, partition, offset, key,");
                    System.out.println("  headers such as ce_type, value), from now on or --from-beginning; --tenant");
                    System.out.println("  keeps one tenant's; --max stops after so many. Ctrl-C stops it.");
                    return;
                }
                default -> LINE.fail("unknown option " + args[i]);
            }
            i++;
        }
        if (!TOPICS.contains(topic)) {
            LINE.fail("topic must be one of " + String.join(", ", new java.util.TreeSet<>(TOPICS)));
        }
        if (!reachable(bootstrap)) {
            System.err.println("events.sh: nothing listens on " + bootstrap + ": start the local system first"
                    + " (deploy/local/start.sh), or name its broker with --bootstrap-server host:port");
            System.exit(1);
        }
        try (KafkaConsumer<byte[], byte[]> consumer = consumer(bootstrap)) {
            Thread reader = Thread.currentThread();
            Thread stop = new Thread(() -> {
                consumer.wakeup();
                try {
                    reader.join(5_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            Runtime.getRuntime().addShutdownHook(stop);
            follow(consumer, topic, fromBeginning);
            print(consumer, tenant, max, System.out);
            Runtime.getRuntime().removeShutdownHook(stop);
        } catch (WakeupException ctrlC) {
            // stopped
        } catch (org.apache.kafka.common.KafkaException e) {
            System.err.println("events.sh: " + e.getMessage() + " (is deploy/local/start.sh running? Kafka on "
                    + bootstrap + ")");
            System.exit(1);
        }
    }

    /** Whether the broker's port takes a connection (a clear word at once, not a minute of the client's retries). */
    private static boolean reachable(String bootstrap) {
        int colon = bootstrap.lastIndexOf(':');
        try (java.net.Socket socket = new java.net.Socket()) {
            socket.connect(new java.net.InetSocketAddress(bootstrap.substring(0, colon),
                    Integer.parseInt(bootstrap.substring(colon + 1))), 2_000);
            return true;
        } catch (java.io.IOException | RuntimeException e) {
            return false;
        }
    }

    static KafkaConsumer<byte[], byte[]> consumer(String bootstrap) {
        return new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.CLIENT_ID_CONFIG, "parley-events-cli",
                ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 15_000),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    /** Takes every partition of the topic, from its beginning or from its end as it is now. */
    static void follow(KafkaConsumer<byte[], byte[]> consumer, String topic, boolean fromBeginning) {
        List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(15)).stream()
                .map(p -> new TopicPartition(topic, p.partition())).toList();
        if (partitions.isEmpty()) {
            throw new org.apache.kafka.common.KafkaException("no topic " + topic);
        }
        consumer.assign(partitions);
        if (fromBeginning) {
            consumer.seekToBeginning(partitions);
        } else {
            consumer.seekToEnd(partitions);
            partitions.forEach(consumer::position); // from now on: the end is fixed before anything is read
        }
    }

    /**
     * Prints the records that follow as JSON lines to {@code out} until {@code max} are printed (or
     * the consumer is woken up); with a tenant, only that tenant's.
     */
    static void print(KafkaConsumer<byte[], byte[]> consumer, String tenant, long max, PrintStream out) {
        long printed = 0;
        while (printed < max) {
            for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                ObjectNode line = line(record);
                if (tenant != null && !tenant.equals(line.path("value").path("tenant_id").asText(null))) {
                    continue;
                }
                out.println(line);
                out.flush();
                if (++printed >= max) {
                    return;
                }
            }
        }
    }

    /** One record as a JSON object; a value that is not JSON is kept as text. */
    static ObjectNode line(ConsumerRecord<byte[], byte[]> record) {
        ObjectNode line = JSON.createObjectNode().put("topic", record.topic()).put("partition", record.partition())
                .put("offset", record.offset()).put("timestamp", record.timestamp());
        line.put("key", record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8));
        ObjectNode headers = line.putObject("headers");
        for (Header header : record.headers()) {
            headers.put(header.key(), header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8));
        }
        String value = record.value() == null ? null : new String(record.value(), StandardCharsets.UTF_8);
        try {
            JsonNode parsed = value == null ? null : JSON.readTree(value);
            line.set("value", parsed);
        } catch (java.io.IOException notJson) {
            line.put("value", value);
        }
        return line;
    }


    private static long count(String value) {
        try {
            long n = Long.parseLong(value);
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // below
        }
        LINE.fail("--max must be a whole number above 0");
        return 0;
    }

}
