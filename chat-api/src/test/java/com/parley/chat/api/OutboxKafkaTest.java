package com.parley.chat.api;

import static com.parley.chat.api.Api.as;
import static com.parley.chat.api.Api.newSession;
import static com.parley.chat.api.Api.sessionsPath;
import static com.parley.chat.api.Api.token;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.LongStream;

import org.junit.jupiter.api.Test;

import com.parley.chat.api.EventTopic.Event;
import com.parley.infra.ChatInfra;
import com.parley.infra.ChatInfraResource;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
@WithTestResource(ChatInfraResource.class)
class OutboxKafkaTest {

    private final String tenant = "t-" + UUID.randomUUID();

    @Test
    void everyEventReachesTheTopicWithKeyHeadersSeqAndFields() {
        String session = newSession(tenant, "alice");
        String alice = token(tenant, "alice", "user");
        String staff = token(tenant, "sam", "supporter");
        String base = sessionsPath(tenant) + "/" + session;
        String messageId = as(alice).body(Map.of("content", "Where is my order?", "client_message_id", "c-1",
                "metadata", Map.of("locale", "en"))).post(base + "/messages").then().statusCode(201)
                .extract().path("id");
        as(alice).delete(base + "/messages/" + messageId).then().statusCode(204);
        as(staff).body(Map.of("status", "resolved")).patch(base).then().statusCode(200);

        List<Event> events;
        try (EventTopic topic = new EventTopic()) {
            events = topic.forSession(session, 4, Duration.ofSeconds(30));
        }
        assertEquals(List.of("SessionCreated", "MessageCreated", "MessageDeleted", "SessionStatusChanged"),
                events.stream().map(Event::type).toList());
        assertEquals(List.of(1L, 2L, 3L, 4L), events.stream().map(Event::seq).toList());
        for (Event e : events) {
            assertEquals(tenant + ":" + session, e.key());
            assertEquals(tenant, e.value().get("tenant_id").asText());
            assertEquals(session, e.value().get("session_id").asText());
            assertEquals(e.value().get("event_id").asText(), e.headers().get("ce_id"));
            assertEquals("/parley/chat-api", e.headers().get("ce_source"));
            assertEquals(session, e.headers().get("ce_subject"));
            assertEquals("1.0", e.headers().get("ce_specversion"));
            Instant.parse(e.headers().get("ce_time"));
            Instant.parse(e.value().get("occurred_at").asText());
            assertFalse(e.value().has("record_key"), "internal fields leak into the contract");
        }
        assertEquals(List.of("chat.session.created.v1", "chat.message.created.v1", "chat.message.deleted.v1",
                "chat.session.status_changed.v1"), events.stream().map(e -> e.headers().get("ce_type")).toList());
        var created = events.get(1).value();
        assertEquals(messageId, created.get("message_id").asText());
        assertEquals("user", created.get("role").asText());
        assertEquals("Where is my order?", created.get("content").asText());
        assertEquals("alice", created.get("sender_user_id").asText());
        assertEquals("c-1", created.get("client_message_id").asText());
        assertEquals("en", created.get("metadata").get("locale").asText());
        Instant.parse(created.get("created_at").asText());
        assertEquals("alice", events.get(0).value().get("customer_user_id").asText());
        assertEquals(messageId, events.get(2).value().get("message_id").asText());
        assertEquals("open", events.get(3).value().get("previous_status").asText());
        assertEquals("resolved", events.get(3).value().get("status").asText());
        assertEquals("sam", events.get(3).value().get("changed_by").asText());
    }

    @Test
    void postsSucceedWhileKafkaIsDownAndEveryEventArrivesInOrderOnceAfterItReturns() throws Exception {
        String session = newSession(tenant, "alice");
        String alice = token(tenant, "alice", "user");
        String path = sessionsPath(tenant) + "/" + session + "/messages";
        try (EventTopic topic = new EventTopic()) {
            assertEquals(1, topic.forSession(session, 1, Duration.ofSeconds(30)).size());
        }

        ChatInfra.get().kafka().kill();
        List<Long> seqs = new ArrayList<>();
        try {
            for (int i = 1; i <= 20; i++) {
                long started = System.nanoTime();
                seqs.add(as(alice).body(Map.of("content", "during outage " + i, "client_message_id", "o-" + i))
                        .post(path).then().statusCode(201).extract().jsonPath().getLong("seq"));
                assertTrue(Duration.ofNanos(System.nanoTime() - started).toSeconds() < 5,
                        "a write waited for Kafka");
            }
        } finally {
            ChatInfra.get().kafka().start();
        }
        assertEquals(LongStream.rangeClosed(2, 21).boxed().toList(), seqs);
        for (int i = 21; i <= 25; i++) {
            as(alice).body(Map.of("content", "after outage " + i)).post(path).then().statusCode(201);
        }

        List<Event> events;
        try (EventTopic topic = new EventTopic()) {
            events = topic.forSession(session, 26, Duration.ofSeconds(40));
        }
        assertEquals(LongStream.rangeClosed(1, 26).boxed().toList(), events.stream().map(Event::seq).toList(),
                "every event once, in seq order");
    }
}
