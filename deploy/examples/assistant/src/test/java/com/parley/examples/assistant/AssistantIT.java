package com.parley.examples.assistant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.parley.infra.ChatInfra;
import com.parley.infra.ChatSystem;

/**
 * The example assistant against the real system (PostgreSQL, Kafka, chat-api), as a tenant would
 * run it: what a customer and the staff see in the chat's history.
 */
class AssistantIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String TENANT = "assist-" + UUID.randomUUID();

    private static ChatInfra infra;
    private static ChatSystem system;
    private static URI api;
    private static final List<Running> running = new ArrayList<>();
    /** what became of each customer message, by event_id, as any assistant of the test told */
    private static final Map<String, List<Assistant.Outcome>> outcomes = new ConcurrentHashMap<>();

    private record Running(Assistant assistant, Thread thread) {
        void stop() throws InterruptedException {
            assistant.stop();
            thread.join(Duration.ofSeconds(10));
        }
    }

    @BeforeAll
    static void startSystem() {
        infra = ChatInfra.get();
        Path repo = Path.of("../../..").toAbsolutePath().normalize();
        system = ChatSystem.builder(repo, Path.of("target", "it-logs").toAbsolutePath(), infra.serviceConfig())
                .gatewayPorts().start(); // the assistant needs no gateway
        api = URI.create("http://127.0.0.1:" + system.chatApi().port());
    }

    /** Each test's assistants are its own: none answers for the next test. */
    @AfterEach
    void stopAssistants() throws InterruptedException {
        for (Running r : running) {
            r.stop();
        }
        running.clear();
    }

    @AfterAll
    static void stopSystem() {
        if (system != null) {
            system.close();
        }
    }

    /** An assistant of the tenant on a thread of its own, reading the topic from its start with this group. */
    private static Running assistant(String group) {
        Assistant assistant = new Assistant(new Assistant.Settings(infra.serviceConfig().get("kafka.bootstrap.servers"),
                api, TENANT, infra.tokens().issue(TENANT, "acme-assistant", "service"), group, true))
                .onHandled((event, outcome) -> outcomes.computeIfAbsent(event.path("event_id").asText(),
                        id -> new ArrayList<>()).add(outcome));
        Thread thread = Thread.ofPlatform().name("assistant-" + group).start(() -> {
            try (assistant) {
                assistant.run();
            }
        });
        Running r = new Running(assistant, thread);
        running.add(r);
        return r;
    }

    @Test
    void answersACustomerOnceEvenWhenItReadsTheEventsAgain() throws Exception {
        String customer = infra.tokens().issue(TENANT, "cora-" + UUID.randomUUID(), "user");
        Running first = assistant("assistant-a");
        String session = create(customer);
        String asked = post(customer, session, "What are your opening hours?");

        List<JsonNode> replies = awaitReplies(customer, session, 1);
        assertTrue(replies.getFirst().path("content").asText().contains("Monday to Friday"), replies.toString());
        assertEquals("reply-" + asked, replies.getFirst().path("client_message_id").asText(),
                "the reply's id comes from the event it answers");

        // the assistant restarts without its offsets (another group, from the topic's start): it reads
        // the question again, finds its reply there and stores no second one
        first.stop();
        assistant("assistant-b");
        awaitOutcome(asked, Assistant.Outcome.ANSWERED_BEFORE);
        String second = post(customer, session, "Do you ship to Norway?");
        replies = awaitReplies(customer, session, 2);
        assertTrue(replies.get(1).path("content").asText().contains("warehouse"), replies.toString());
        assertEquals("reply-" + second, replies.get(1).path("client_message_id").asText());
        Thread.sleep(1000); // anything more would show by now
        assertEquals(2, replies(customer, session).size(), "one reply per question, never two");
    }

    @Test
    void staysQuietWhileAPersonOfTheStaffHoldsTheChat() throws Exception {
        String customer = infra.tokens().issue(TENANT, "dan-" + UUID.randomUUID(), "user");
        String staff = infra.tokens().issue(TENANT, "sam", "supporter");
        assistant("assistant-c");
        String session = create(customer);
        call(staff, "POST", "/sessions/" + session + "/claim", null, 200);
        String held = post(customer, session, "Where is my refund?");
        awaitOutcome(held, Assistant.Outcome.LEFT_TO_STAFF);
        assertEquals(List.of(), replies(customer, session), "sam has the chat: the assistant says nothing");

        call(staff, "DELETE", "/sessions/" + session + "/claim", null, 200);
        String free = post(customer, session, "Hello?");
        List<JsonNode> replies = awaitReplies(customer, session, 1);
        assertEquals("reply-" + free, replies.getFirst().path("client_message_id").asText(),
                "released: the next question is answered, the one sam had is not");

        // read again from the topic's start: the question sam had is not answered now that the chat is
        // free (the chat went on since), and a claim before any answer of the assistant leaves no note
        assistant("assistant-c2");
        awaitOutcome(held, Assistant.Outcome.ANSWERED_SINCE);
        awaitOutcome(free, Assistant.Outcome.ANSWERED_BEFORE);
        assertEquals(1, replies(customer, session).size(), "still one reply: " + replies(customer, session));
        assertEquals(0, call(staff, "GET", "/sessions/" + session + "/notes", null, 200).path("notes").size());
    }

    @Test
    void leavesTheStaffMemberWhoTakesTheChatANoteOfWhatItAnsweredOnce() throws Exception {
        String customer = infra.tokens().issue(TENANT, "erin-" + UUID.randomUUID(), "user");
        String staff = infra.tokens().issue(TENANT, "sam", "supporter");
        assistant("assistant-d");
        String session = create(customer);
        post(customer, session, "Do you ship to Norway?");
        awaitReplies(customer, session, 1);
        post(customer, session, "And what does it cost?");
        awaitReplies(customer, session, 2);

        String claim = claimEvent(staff, session);
        awaitOutcome(claim, Assistant.Outcome.HANDED_OVER);
        JsonNode notes = call(staff, "GET", "/sessions/" + session + "/notes", null, 200).path("notes");
        assertEquals(1, notes.size(), notes.toString());
        assertEquals("Before you took this chat I answered 2 messages of the customer; their last: \u201cAnd what does "
                + "it cost?\u201d", notes.get(0).path("content").asText());
        assertEquals("assistant", notes.get(0).path("author_role").asText());

        // read again from the topic's start (another group): the same claim leaves no second note
        assistant("assistant-e");
        awaitOutcome(claim, Assistant.Outcome.HANDED_OVER_BEFORE);
        assertEquals(1, call(staff, "GET", "/sessions/" + session + "/notes", null, 200).path("notes").size());
        // the customer reads nothing of it
        assertTrue(events(customer, session).toString().indexOf("Before you took") < 0);
        call(customer, "GET", "/sessions/" + session + "/notes", null, 403);
    }

    /** Claims the session as {@code staff}; returns the event_id of its SessionClaimed (from history). */
    private static String claimEvent(String staff, String session) throws Exception {
        call(staff, "POST", "/sessions/" + session + "/claim", null, 200);
        JsonNode events = events(staff, session);
        for (int i = events.size() - 1; i >= 0; i--) {
            if ("SessionClaimed".equals(events.get(i).path("type").asText())) {
                return events.get(i).path("event_id").asText();
            }
        }
        throw new AssertionError("no SessionClaimed in " + events);
    }

    private static String create(String token) throws IOException, InterruptedException {
        return call(token, "POST", "/sessions", Map.of(), 201).path("id").asText();
    }

    /** Posts a customer message; returns the event_id of its MessageCreated (from history). */
    private static String post(String token, String session, String content) throws Exception {
        JsonNode message = call(token, "POST", "/sessions/" + session + "/messages",
                Map.of("content", content, "client_message_id", UUID.randomUUID().toString()), 201);
        String messageId = message.path("id").asText();
        for (JsonNode event : events(token, session)) {
            if (messageId.equals(event.path("message_id").asText())) {
                return event.path("event_id").asText();
            }
        }
        throw new AssertionError("no MessageCreated for " + messageId);
    }

    private static void awaitOutcome(String eventId, Assistant.Outcome expected) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            if (outcomes.getOrDefault(eventId, List.of()).contains(expected)) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError(eventId + ": " + expected + " expected, got " + outcomes.get(eventId));
    }

    private static List<JsonNode> awaitReplies(String token, String session, int count) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        List<JsonNode> replies = replies(token, session);
        while (replies.size() < count && System.nanoTime() < deadline) {
            Thread.sleep(100);
            replies = replies(token, session);
        }
        assertEquals(count, replies.size(), "the assistant's replies in the chat");
        return replies;
    }

    /** The assistant's messages in the session's history, as the customer reads it. */
    private static List<JsonNode> replies(String token, String session) throws Exception {
        List<JsonNode> replies = new ArrayList<>();
        for (JsonNode event : events(token, session)) {
            if ("MessageCreated".equals(event.path("type").asText()) && "assistant".equals(event.path("role").asText())) {
                replies.add(event);
            }
        }
        return replies;
    }

    private static JsonNode events(String token, String session) throws IOException, InterruptedException {
        return call(token, "GET", "/sessions/" + session + "/events?after_seq=0", null, 200).path("events");
    }

    private static JsonNode call(String token, String method, String path, Object body, int expected)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(api.resolve("/api/tenants/" + TENANT + path))
                .header("Authorization", "Bearer " + token)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(expected, response.statusCode(), method + " " + path + ": " + response.body());
        return response.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(response.body());
    }
}
