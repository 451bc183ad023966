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
import java.time.Instant;
import java.util.ArrayList;
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
 * chat-api returns the reply it already stored. When a person of the staff takes a chat it has
 * been answering, it leaves them a note (which the customer never sees) with what it answered.
 * Replace {@link #answer} with the call to a model.
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

    /** What became of a customer's message, or of a claim of a chat the assistant answered in. */
    public enum Outcome {
        /** a reply was posted */
        ANSWERED,
        /** the reply was there already (the event was read again): nothing new */
        ANSWERED_BEFORE,
        /** a person of the staff holds the chat: no reply */
        LEFT_TO_STAFF,
        /** the chat is closed or gone: no reply */
        CHAT_ENDED,
        /** read late: staff or the assistant wrote in the chat after it, so the chat has moved on: no reply */
        ANSWERED_SINCE,
        /** a person took a chat the assistant answered in: a note for them */
        HANDED_OVER,
        /** the note was there already (the claim was read again): nothing new */
        HANDED_OVER_BEFORE
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

    /** Told of every customer message and hand-over handled, with what became of it (logs, metrics, tests). */
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
        if (!settings.tenant().equals(event.path("tenant_id").asText())) {
            return; // another tenant's
        }
        if ("SessionClaimed".equals(event.path("type").asText()) && event.path("previous").isNull()) {
            handOver(event); // a person claimed the chat (not a transfer between people)
            return;
        }
        if (!"MessageCreated".equals(event.path("type").asText()) || !"user".equals(event.path("role").asText())) {
            return; // not a message; staff's, or the assistant's own reply
        }
        String session = event.path("session_id").asText();
        JsonNode current = get("/sessions/" + session);
        Outcome outcome;
        if (current == null || !"open".equals(current.path("status").asText())) {
            outcome = Outcome.CHAT_ENDED;
        } else if (current.hasNonNull("claimed_by")) {
            outcome = Outcome.LEFT_TO_STAFF; // a person holds the chat now: the assistant stays quiet
        } else {
            outcome = reply(event, session);
        }
        System.out.printf("session %s, message seq %d: %s%n", session, event.path("seq").asLong(), outcome);
        onHandled.accept(event, outcome);
    }

    /**
     * Answers a customer's message unless it was answered already: by this assistant (the event is
     * read again: its reply is there) or by anyone of the staff or the assistant after it (the
     * assistant reads it late, after a restart or from the topic's start, and the chat went on).
     */
    private Outcome reply(JsonNode event, String session) {
        String replyId = "reply-" + event.path("event_id").asText();
        List<JsonNode> since = messages(session, event.path("seq").asLong());
        if (since == null) {
            return Outcome.CHAT_ENDED;
        }
        if (since.stream().anyMatch(m -> replyId.equals(m.path("client_message_id").asText()))) {
            return Outcome.ANSWERED_BEFORE;
        }
        if (since.stream().anyMatch(m -> !"user".equals(m.path("role").asText()))) {
            return Outcome.ANSWERED_SINCE;
        }
        String reply = answer(event.path("content").asText(), event.path("sender_name").asText(null));
        return post(session, Map.of("content", reply, "client_message_id", replyId));
    }

    /**
     * A person of the staff claimed the chat: if the assistant answered in it, a note tells them
     * what the customer asked and what it answered (notes are for staff only). Once per claim: a
     * note of the assistant written after the claim means this claim was read before.
     */
    private void handOver(JsonNode claim) {
        String session = claim.path("session_id").asText();
        List<JsonNode> messages = messages(session, 0);
        if (messages == null) {
            return; // gone
        }
        long claimedAtSeq = claim.path("seq").asLong();
        int answered = 0;
        String lastQuestion = null;
        for (JsonNode message : messages) {
            if (message.path("seq").asLong() > claimedAtSeq) {
                break; // after the claim: not what the assistant hands over
            }
            if ("assistant".equals(message.path("role").asText()) && !message.path("deleted").asBoolean()) {
                answered++;
            } else if ("user".equals(message.path("role").asText()) && !message.path("deleted").asBoolean()) {
                String content = message.path("content").asText();
                lastQuestion = content.length() > 300 ? content.substring(0, 300) + "\u2026" : content;
            }
        }
        if (answered == 0) {
            return; // nothing of the assistant's to hand over
        }
        Instant claimedAt = Instant.parse(claim.path("occurred_at").asText());
        JsonNode notes = get("/sessions/" + session + "/notes");
        for (JsonNode note : notes == null ? JSON.createArrayNode() : notes.path("notes")) {
            if ("assistant".equals(note.path("author_role").asText())
                    && !Instant.parse(note.path("created_at").asText()).isBefore(claimedAt)) {
                onHandled.accept(claim, Outcome.HANDED_OVER_BEFORE);
                return;
            }
        }
        String note = "Before you took this chat I answered " + (answered == 1 ? "one message" : answered + " messages")
                + " of the customer" + (lastQuestion == null ? "." : "; their last: \u201c" + lastQuestion + "\u201d");
        HttpResponse<String> response = send(HttpRequest.newBuilder(uri("/sessions/" + session + "/notes"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
                        JSON.createObjectNode().put("content", note).toString())));
        if (response.statusCode() != 201) {
            throw new IllegalStateException("POST note to " + session + ": " + response.statusCode() + " "
                    + response.body());
        }
        System.out.printf("session %s, claimed by %s: %s%n", session, claim.path("claimed_by").asText(),
                Outcome.HANDED_OVER);
        onHandled.accept(claim, Outcome.HANDED_OVER);
    }

    /** The session's messages after {@code afterSeq}, in seq order (chat-api's pages of 100); null when it is gone. */
    private List<JsonNode> messages(String session, long afterSeq) {
        List<JsonNode> messages = new ArrayList<>();
        for (long after = afterSeq;;) {
            JsonNode page = get("/sessions/" + session + "/messages?after_seq=" + after + "&limit=100");
            if (page == null) {
                return null;
            }
            for (JsonNode message : page.path("items")) {
                messages.add(message);
            }
            if (!page.path("has_more").asBoolean()) {
                return messages;
            }
            after = page.path("next_after_seq").asLong();
        }
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
