package com.parley.examples.assistant;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * An assistant for one tenant, plugged into the session events as docs/integrations.md says a
 * service should be: it reads {@code chat.message-events} with a consumer group of its own, answers
 * each customer message of an open chat that no one of the staff holds, through chat-api's REST API
 * with a {@code service} token (the message's role is then {@code assistant}), and commits what it
 * read only after handling it. Delivery is at least once; a reply's {@code client_message_id} is
 * {@code reply-<event_id>}, so an event seen again (a restart, a rebalance) never answers twice:
 * chat-api returns the reply it already stored. Replace {@link #answer} with the call to a model.
 */
public final class Assistant implements AutoCloseable {

    static final String TOPIC = "chat.message-events";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration BUSY_WAIT = Duration.ofSeconds(1);

    /**
     * @param kafka the brokers ({@code bootstrap.servers})
     * @param api chat-api's base URL
     * @param tenant the tenant it answers for (the topic carries every tenant)
     * @param token a {@code service} token of that tenant
     * @param group its consumer group: every group gets every event
     * @param fromBeginning a new group starts at the topic's first event instead of the next one
     */
    public record Settings(String kafka, URI api, String tenant, String token, String group, boolean fromBeginning) {
    }

    /** What became of a customer's message. */
    public enum Outcome {
        /** a reply was posted */
        ANSWERED,
        /** the reply was there already (the event was read again): nothing new */
        ANSWERED_BEFORE,
        /** a person of the staff holds the chat: no reply */
        LEFT_TO_STAFF,
        /** the chat is closed or gone: no reply */
        CHAT_ENDED
    }

    private final Settings settings;
    private final KafkaConsumer<String, String> consumer;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private volatile BiConsumer<JsonNode, Outcome> onHandled = (event, outcome) -> { };

    public Assistant(Settings settings) {
        this.settings = settings;
        Properties config = new Properties();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.kafka());
        config.put(ConsumerConfig.GROUP_ID_CONFIG, settings.group());
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false); // committed after handling
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, settings.fromBeginning() ? "earliest" : "latest");
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        this.consumer = new KafkaConsumer<>(config);
    }

    /** Reads and answers until {@link #stop}. */
    public void run() {
        consumer.subscribe(List.of(TOPIC));
        try {
            while (running.get()) {
                ConsumerRecords<String, String> records = consumer.poll(Duration.ofSeconds(1));
                try {
                    for (ConsumerRecord<String, String> record : records) {
                        handle(record.value());
                    }
                    if (!records.isEmpty()) {
                        consumer.commitSync(); // after handling: a crash before it means seeing them again
                    }
                } catch (WakeupException stopping) {
                    throw stopping;
                } catch (RuntimeException failure) {
                    // chat-api unreachable, or an answer it did not expect: the same records again,
                    // after a pause (what was answered already is not answered twice)
                    System.err.println("could not answer now, trying again: " + failure.getMessage());
                    for (TopicPartition partition : records.partitions()) {
                        consumer.seek(partition, records.records(partition).getFirst().offset());
                    }
                    pause(BUSY_WAIT);
                }
            }
        } catch (WakeupException stopping) {
            // stop() was called
        }
    }

    /** Told of every customer message handled, with what became of it (logs, metrics, tests). */
    public Assistant onHandled(BiConsumer<JsonNode, Outcome> listener) {
        this.onHandled = listener;
        return this;
    }

    public void stop() {
        running.set(false);
        consumer.wakeup();
    }

    @Override
    public void close() {
        consumer.close();
    }

    /** One event of the topic: only a customer's message in this tenant gets an answer. */
    void handle(String value) {
        JsonNode event;
        try {
            event = JSON.readTree(value);
        } catch (IOException notJson) {
            System.err.println("skipped a record that is not JSON");
            return;
        }
        if (!settings.tenant().equals(event.path("tenant_id").asText())
                || !"MessageCreated".equals(event.path("type").asText())
                || !"user".equals(event.path("role").asText())) {
            return; // another tenant's; not a message; staff's, or the assistant's own reply
        }
        String session = event.path("session_id").asText();
        JsonNode current = get("/sessions/" + session);
        Outcome outcome;
        if (current == null || !"open".equals(current.path("status").asText())) {
            outcome = Outcome.CHAT_ENDED;
        } else if (current.hasNonNull("claimed_by")) {
            outcome = Outcome.LEFT_TO_STAFF; // a person holds the chat now: the assistant stays quiet
        } else {
            String reply = answer(event.path("content").asText(), event.path("sender_name").asText(null));
            outcome = post(session, Map.of("content", reply, "client_message_id",
                    "reply-" + event.path("event_id").asText()));
        }
        System.out.printf("session %s, message seq %d: %s%n", session, event.path("seq").asLong(), outcome);
        onHandled.accept(event, outcome);
    }

    /** What the assistant says to a customer's message. A real assistant asks its model here. */
    static String answer(String question, String name) {
        String text = question.toLowerCase(Locale.ROOT);
        String hello = name == null || name.isBlank() ? "Hello!" : "Hello " + name + "!";
        if (text.contains("hour")) {
            return hello + " We answer chats Monday to Friday, 8:00 to 18:00. Someone from the team will take"
                    + " over here.";
        }
        if (text.contains("ship") || text.contains("deliver")) {
            return hello + " Orders leave our warehouse within two working days. Someone from the team will"
                    + " look at your order.";
        }
        if (text.contains("return") || text.contains("refund")) {
            return hello + " You can return anything within 30 days. Someone from the team will send you the"
                    + " label.";
        }
        return hello + " Thanks for your message. I am the assistant; someone from the team will read it and"
                + " answer here.";
    }

    private JsonNode get(String path) {
        HttpResponse<String> response = send(HttpRequest.newBuilder(uri(path)).GET());
        if (response.statusCode() == 404) {
            return null;
        }
        if (response.statusCode() != 200) {
            throw new IllegalStateException("GET " + path + ": " + response.statusCode() + " " + response.body());
        }
        try {
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Posts the reply, again with the same id while chat-api asks to wait (429, 503). */
    private Outcome post(String session, Map<String, String> reply) {
        String body;
        try {
            body = JSON.writeValueAsString(reply);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        while (true) {
            HttpResponse<String> response = send(HttpRequest.newBuilder(uri("/sessions/" + session + "/messages"))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)));
            switch (response.statusCode()) {
                case 201 -> {
                    return Outcome.ANSWERED;
                }
                case 200 -> {
                    return Outcome.ANSWERED_BEFORE; // this event was delivered again: nothing new
                }
                case 404, 409 -> {
                    return Outcome.CHAT_ENDED; // closed, or gone, meanwhile: the reply is dropped
                }
                case 429, 503 -> {
                    if (!running.get()) {
                        throw new IllegalStateException("stopped before chat-api took the reply");
                    }
                    pause(retryAfter(response));
                }
                default -> throw new IllegalStateException("POST reply to " + session + ": " + response.statusCode()
                        + " " + response.body());
            }
        }
    }

    private HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return http.send(request.header("Authorization", "Bearer " + settings.token())
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private URI uri(String path) {
        return settings.api().resolve("/api/tenants/" + URLEncoder.encode(settings.tenant(), StandardCharsets.UTF_8)
                .replace("+", "%20") + path);
    }

    private static Duration retryAfter(HttpResponse<?> response) {
        return response.headers().firstValue("Retry-After").map(seconds -> {
            try {
                return Duration.ofSeconds(Math.max(1, Long.parseLong(seconds.trim())));
            } catch (NumberFormatException notSeconds) {
                return BUSY_WAIT;
            }
        }).orElse(BUSY_WAIT);
    }

    private static void pause(Duration wait) {
        try {
            Thread.sleep(wait);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
