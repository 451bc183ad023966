package com.parley.chat.api.service;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.parley.chat.api.config.ChatApiConfig;
import com.parley.chat.api.messaging.KafkaReaders;
import com.parley.chat.api.service.AnnouncedOperators.Operator;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;

/**
 * Gives the open chats of an operator who left back to the queue. Every gateway announces the staff
 * connected to it on chat.signals every few seconds ({@code operators} signals); an operator that no
 * announcement has named for {@code claims.release-when-offline} closed their last dashboard (or
 * lost it for good), and each open chat they still hold, or are handed while they are away, is
 * released by {@code parley}, so that the customers waiting in them reach the other operators' queue
 * instead of waiting for someone who went home. Only an operator some announcement named counts
 * (staff who work only through the REST API keep their chats): those this instance heard, and those
 * any replica heard before it started ({@link AnnouncedOperators}), whom it waits for as if it had
 * just heard them; and only while this instance reads the topic up to its end: when Kafka does not
 * answer, silence says nothing about who is online, and nothing is released. Every replica does it;
 * a chat another replica released, or another operator took, is left alone.
 */
@ApplicationScoped
public class OperatorDepartures {

    /** When a check asked the broker for the topic's end, and what it said. */
    private record Check(Instant at, Map<TopicPartition, Long> ends) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration FETCH_WAIT = Duration.ofSeconds(5);
    /** How long the broker may take to answer a question of this reader: after its fetch, and 5 s. */
    private static final Duration ANSWER_WAIT = FETCH_WAIT.plusSeconds(5);
    /** The gateways' operator announcements travel under the pseudo-session {@code ~operators}. */
    private static final byte[] ANNOUNCEMENT_KEY_SUFFIX = ":~operators".getBytes(StandardCharsets.UTF_8);

    @Inject
    ChatApiConfig config;

    @Inject
    @Identifier("default-kafka-broker")
    Map<String, Object> kafkaConfig;

    @Inject
    ClaimService claims;

    @Inject
    SessionWrites sessionWrites;

    @Inject
    AnnouncedOperators announced;

    @Inject
    MeterRegistry registry;

    /** Every operator some announcement named, and when the last one did. */
    private final Map<Operator, Instant> lastAnnounced = new ConcurrentHashMap<>();
    /** The announcement of each operator last written to {@link AnnouncedOperators} (or read from it). */
    private final Map<Operator, Instant> written = new HashMap<>();
    /** Whether the operators other replicas (or this one's predecessors) heard are waited for yet. */
    private boolean recalled;
    private volatile boolean running;
    /** Kafka did not answer the last check: silence since then says nothing about who left. */
    private boolean lostSight;
    private Check lastCheck;
    private volatile KafkaConsumer<byte[], byte[]> consumer;
    private Thread worker;
    private Counter released;

    void start(@Observes StartupEvent ignored) {
        if (config.claims().releaseWhenOffline().isZero()) {
            return;
        }
        released = Counter.builder("parley.claims.released.on.departure")
                .description("Open chats given back to the queue because no gateway announced their operator")
                .register(registry);
        running = true;
        Map<String, Object> settings = KafkaReaders.config(kafkaConfig, "chat-api-operator-departures");
        // a fetch every few seconds, not one per signal: the typing and presence of every chat pass
        // through this topic, and what is read here matters in minutes (the broker answers at 1 MiB or
        // after FETCH_WAIT); an announcement read late is stamped late, never early, so it can only
        // keep an operator longer
        settings.put(ConsumerConfig.FETCH_MIN_BYTES_CONFIG, 1 << 20);
        settings.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, (int) FETCH_WAIT.toMillis());
        consumer = new KafkaConsumer<>(settings);
        worker = Thread.ofPlatform().name("operator-departures").daemon()
                .uncaughtExceptionHandler((thread, e) -> Log.errorf(e, "reading the operators' announcements stopped"))
                .start(this::run);
    }

    void stop(@Observes ShutdownEvent ignored) {
        if (!running) {
            return;
        }
        running = false;
        consumer.wakeup();
        try {
            worker.join(Duration.ofSeconds(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        String topic = config.claims().signalsTopic();
        List<TopicPartition> partitions = List.of();
        Instant nextCheck = Instant.now().plus(config.claims().checkEvery());
        try (KafkaConsumer<byte[], byte[]> closedAtTheEnd = consumer) {
            while (running) {
                try {
                    if (partitions.isEmpty()) {
                        partitions = consumer.partitionsFor(topic, Duration.ofSeconds(5)).stream()
                                .map(p -> new TopicPartition(topic, p.partition())).toList();
                        if (partitions.isEmpty()) { // no gateway has announced anything yet
                            sleep(Duration.ofSeconds(1));
                            continue;
                        }
                        consumer.assign(partitions);
                        consumer.seekToEnd(partitions); // who is online now: the next round of announcements says
                    }
                    for (ConsumerRecord<byte[], byte[]> record : consumer.poll(FETCH_WAIT)) {
                        if (isAnnouncement(record.key())) { // the rest (typing, presence, receipts) unparsed
                            read(record.value());
                        }
                    }
                    if (!Instant.now().isBefore(nextCheck)) {
                        nextCheck = Instant.now().plus(config.claims().checkEvery());
                        check(partitions);
                    }
                } catch (WakeupException e) {
                    return;
                } catch (KafkaException e) {
                    lostSight = true; // see check
                    lastCheck = null;
                    Log.debugf("operators' departures: Kafka does not answer (%s); nothing is released", e.toString());
                    sleep(Duration.ofSeconds(1));
                } catch (RuntimeException e) {
                    // the database away: nothing is released, the next check tries again
                    Log.warnf("releasing the chats of operators who left failed, the next check tries again: %s",
                            e.toString());
                    sleep(Duration.ofSeconds(1));
                }
            }
        }
    }

    /** Whether a signal's key is {@code <tenant>:~operators}, the key the gateways announce operators under. */
    static boolean isAnnouncement(byte[] key) {
        if (key == null || key.length < ANNOUNCEMENT_KEY_SUFFIX.length) {
            return false;
        }
        return Arrays.equals(key, key.length - ANNOUNCEMENT_KEY_SUFFIX.length, key.length, ANNOUNCEMENT_KEY_SUFFIX, 0,
                ANNOUNCEMENT_KEY_SUFFIX.length);
    }

    /** An {@code operators} signal: who is connected to the gateway that sent it. */
    private void read(byte[] value) {
        JsonNode signal;
        try {
            signal = JSON.readTree(value);
        } catch (IOException e) {
            return; // not ours to judge: another sender's signal
        }
        if (signal == null || !"operators".equals(signal.path("type").asText())
                || !signal.path("tenant_id").isTextual()) {
            return;
        }
        Instant now = Instant.now();
        String tenantId = signal.get("tenant_id").asText();
        for (JsonNode operator : signal.path("operators")) {
            String userId = operator.path("user_id").isTextual() ? operator.get("user_id").asText() : "";
            // ids that no token chat-api accepts could carry: they hold no chat and could not be written down
            if (!tenantId.isBlank() && !userId.isBlank() && Caller.storable(tenantId, userId)) {
                lastAnnounced.put(new Operator(tenantId, userId), now);
            }
        }
    }

    /**
     * Releases the chats of the operators who left, if this instance sees the topic: it has read
     * everything the topic held at the last check (the signals keep coming, so "up to the end" is
     * asked of a moment, not of now). When the broker does not answer, it has lost sight of the
     * announcements; when it answers again, every operator it knew starts a whole
     * {@code release-when-offline} anew (their gateways announce them again within seconds), so that
     * an outage of Kafka never looks like everyone leaving.
     */
    private void check(List<TopicPartition> partitions) {
        if (!recalled) { // once, before anything is released; the database away: at the next check
            recall();
        }
        try {
            remember(); // what was read is so, whether or not the topic's end can be seen now
        } catch (RuntimeException e) { // never a reason to keep chats from the queue: tried at the next check
            Log.warnf("noting the operators heard failed, the next check tries again: %s", e.toString());
        }
        // the broker answers a connection's requests in turn: this one after the fetch it holds
        Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, ANSWER_WAIT); // or lost sight
        Instant now = Instant.now();
        Check previous = lastCheck;
        lastCheck = new Check(now, ends);
        if (lostSight) {
            lostSight = false;
            lastAnnounced.replaceAll((operator, at) -> now);
            return;
        }
        if (previous != null
                && partitions.stream().allMatch(p -> consumer.position(p, ANSWER_WAIT) >= previous.ends().get(p))) {
            releaseDeparted(previous.at());
        } // else: the announcements of the last check are still to be read
    }

    /**
     * Waits for the operators other replicas (or this one's predecessors) heard as for ones heard
     * now: those who left shortly before this instance started have their chats released a whole
     * {@code release-when-offline} later, and those still online are announced again within seconds.
     */
    private void recall() {
        Instant now = Instant.now();
        for (Operator operator : announced.recent(now)) {
            if (lastAnnounced.putIfAbsent(operator, now) == null) {
                written.put(operator, now); // already in the table: nothing to write
            }
        }
        recalled = true;
    }

    /** Writes the operators heard for the first time, or for the first time in an hour, for the replicas to come. */
    private void remember() {
        Map<Operator, Instant> news = new HashMap<>();
        lastAnnounced.forEach((operator, at) -> {
            Instant before = written.get(operator);
            if (before == null || at.isAfter(before.plus(AnnouncedOperators.REFRESH_EVERY))) {
                news.put(operator, at);
            }
        });
        if (!news.isEmpty()) {
            announced.heard(news);
            written.putAll(news);
        }
    }

    /**
     * Releases the open chats of every operator no announcement read up to {@code readUpTo} named for
     * the whole {@code release-when-offline}: those they held when they left, and any handed to them
     * since (a transfer to someone gone home would strand its customer the same way), found with one
     * query per 500 of them whatever their tenants. They stay departed until an announcement names
     * them again.
     */
    private void releaseDeparted(Instant readUpTo) {
        Instant leftBefore = readUpTo.minus(config.claims().releaseWhenOffline());
        List<Operator> departed = new ArrayList<>();
        lastAnnounced.forEach((operator, at) -> {
            if (at.isBefore(leftBefore)) {
                departed.add(operator);
            }
        });
        if (departed.isEmpty()) {
            return;
        }
        for (ClaimService.Held held : claims.heldBy(departed)) {
            if (sessionWrites.inTurn(held.sessionId(), // each in its own transaction
                    () -> claims.releaseLeftBy(held.tenantId(), held.sessionId(), held.holder()))) {
                released.increment();
                Log.infof("released chat %s of %s (tenant %s): no gateway announced them for %s",
                        held.sessionId(), held.holder(), held.tenantId(), config.claims().releaseWhenOffline());
            }
        }
    }

    private static void sleep(Duration pause) {
        try {
            Thread.sleep(pause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
