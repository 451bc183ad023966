package com.parley.bench;

import java.time.Duration;
import java.util.List;
import java.util.Properties;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * The Kafka hop alone ({@code -Dbench.kafka-probe=true}): a plain consumer in the load generator,
 * with the gateway's consumer settings, reads the events the fan-out publishes and records the time
 * from the publisher's send to its own poll. The gateway's latency less this is what the gateway
 * adds after the broker. It is one more fetch per event for the broker and one more thread here,
 * so it is off unless asked for.
 */
final class KafkaHop implements AutoCloseable {

    final Recorder latencyMicros = new Recorder(3);
    private final KafkaConsumer<String, String> consumer;
    private final Thread thread;
    private volatile boolean running = true;

    KafkaHop(String bootstrapServers, String topic) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "bench-kafka-hop");
        consumer = new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer());
        List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                .map(p -> new TopicPartition(topic, p.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        thread = Thread.ofPlatform().name("bench-kafka-hop").start(this::run);
    }

    private void run() {
        try {
            while (running) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                    long now = System.nanoTime();
                    String value = record.value();
                    if (value != null && value.indexOf(Fleet.MARK) > 0) {
                        latencyMicros.recordValue(Math.max(0, (now - Fleet.number(value, Fleet.MARK)) / 1000));
                    }
                }
            }
        } catch (WakeupException e) {
            // closing
        } finally {
            consumer.close();
        }
    }

    /** The latencies recorded since the last call. */
    Histogram interval() {
        return latencyMicros.getIntervalHistogram();
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        consumer.wakeup();
        thread.join(5000);
    }
}
