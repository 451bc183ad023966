package com.parley.cdc;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.connect.header.Header;
import org.apache.kafka.connect.source.SourceRecord;

import io.debezium.embedded.Connect;
import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.RecordChangeEvent;
import io.debezium.engine.format.ChangeEventFormat;

/**
 * chat-api's outbox published by change data capture: Debezium's PostgreSQL connector reads the
 * outbox table's inserts from the write-ahead log (pgoutput, a slot of its own), its outbox event
 * router turns each row into the record the in-process relay would send (topic from the row, key
 * {@code tenant:session}, the payload as value, the CloudEvents fields as headers), and a Kafka
 * producer with the relay's settings (acks=all, idempotent) sends them; a batch is committed to
 * Debezium once Kafka acknowledged all of it. Benchmark only (docs/decisions.md).
 *
 * <p>Arguments: PostgreSQL host, port, user, password, database; Kafka bootstrap servers; the
 * connector's poll interval in ms. Prints {@code CDC READY} once the engine streams.
 */
public final class DebeziumRelay {

    private DebeziumRelay() {
    }

    public static void main(String[] args) throws Exception {
        Properties producerProps = new Properties();
        producerProps.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, args[5]);
        producerProps.put(ProducerConfig.ACKS_CONFIG, "all");
        producerProps.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        producerProps.put(ProducerConfig.LINGER_MS_CONFIG, "1");
        producerProps.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        producerProps.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        KafkaProducer<String, String> producer = new KafkaProducer<>(producerProps);

        Properties props = new Properties();
        props.put("name", "parley-outbox");
        props.put("connector.class", "io.debezium.connector.postgresql.PostgresConnector");
        props.put("offset.storage", "org.apache.kafka.connect.storage.MemoryOffsetBackingStore");
        props.put("offset.flush.interval.ms", "1000");
        props.put("plugin.name", "pgoutput");
        props.put("slot.name", "parley_outbox");
        props.put("publication.name", "parley_outbox");
        props.put("publication.autocreate.mode", "filtered");
        props.put("database.hostname", args[0]);
        props.put("database.port", args[1]);
        props.put("database.user", args[2]);
        props.put("database.password", args[3]);
        props.put("database.dbname", args[4]);
        props.put("topic.prefix", "parley");
        props.put("table.include.list", "public.outbox");
        props.put("snapshot.mode", "no_data");
        props.put("tombstones.on.delete", "false");
        props.put("poll.interval.ms", args[6]);
        props.put("max.batch.size", "2048");
        props.put("transforms", "outbox");
        props.put("transforms.outbox.type", "io.debezium.transforms.outbox.EventRouter");
        props.put("transforms.outbox.table.field.event.id", "event_id");
        props.put("transforms.outbox.table.field.event.key", "record_key");
        props.put("transforms.outbox.table.field.event.payload", "payload");
        props.put("transforms.outbox.route.by.field", "topic");
        props.put("transforms.outbox.route.topic.replacement", "${routedByValue}");
        props.put("transforms.outbox.table.fields.additional.placement",
                "ce_type:header:ce_type,ce_subject:header:ce_subject,traceparent:header:ce_traceparent");
        props.put("transforms.outbox.table.op.invalid.behavior", "warn");
        props.put("key.converter.schemas.enable", "false");
        props.put("value.converter.schemas.enable", "false");

        DebeziumEngine<RecordChangeEvent<SourceRecord>> engine = DebeziumEngine
                .create(ChangeEventFormat.of(Connect.class))
                .using(props)
                .notifying((records, committer) -> {
                    List<Future<RecordMetadata>> sent = new ArrayList<>(records.size());
                    for (RecordChangeEvent<SourceRecord> event : records) {
                        SourceRecord row = event.record();
                        if (row.value() == null) {
                            continue;
                        }
                        ProducerRecord<String, String> record = new ProducerRecord<>(row.topic(),
                                String.valueOf(row.key()), row.value().toString());
                        for (Header header : row.headers()) {
                            String name = "id".equals(header.key()) ? "ce_id" : header.key();
                            if (header.value() != null) {
                                record.headers().add(name, header.value().toString().getBytes(StandardCharsets.UTF_8));
                            }
                        }
                        record.headers().add("ce_specversion", "1.0".getBytes(StandardCharsets.UTF_8));
                        sent.add(producer.send(record));
                    }
                    for (Future<RecordMetadata> ack : sent) {
                        try {
                            ack.get();
                        } catch (ExecutionException e) {
                            // the engine stops on it: a benchmark run that lost Kafka is not measured
                            throw new IllegalStateException("Kafka did not take the batch", e.getCause());
                        }
                    }
                    for (RecordChangeEvent<SourceRecord> event : records) {
                        committer.markProcessed(event);
                    }
                    committer.markBatchFinished();
                })
                .using((success, message, error) -> {
                    System.out.println("CDC ENGINE STOPPED: " + message + (error == null ? "" : " " + error));
                })
                .using(new DebeziumEngine.ConnectorCallback() {
                    @Override
                    public void taskStarted() {
                        System.out.println("CDC READY");
                    }
                })
                .build();
        ExecutorService executor = Executors.newSingleThreadExecutor();
        executor.execute(engine);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                engine.close();
            } catch (Exception ignored) {
                // the JVM ends anyway
            }
            producer.close();
        }));
    }
}
