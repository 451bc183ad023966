package com.parley.chat.api;

import static com.parley.chat.api.Api.as;
import static com.parley.chat.api.Api.newSession;
import static com.parley.chat.api.Api.sessionsPath;
import static com.parley.chat.api.Api.token;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import com.parley.chat.api.EventTopic.Event;
import com.parley.infra.ChatInfraResource;
import com.parley.infra.EventContract;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** Every kind of record chat-api publishes, validated against docs/asyncapi.yaml. */
@QuarkusTest
@WithTestResource(ChatInfraResource.class)
class EventContractTest {

    private final EventContract contract = EventContract.load(Path.of("."));
    private final String tenant = "t-" + UUID.randomUUID();

    @Test
    void everyPublishedRecordIsWhatTheAsyncApiDocumentSays() {
        String session = newSession(tenant, "alice");
        String alice = token(tenant, "alice", "user");
        String base = sessionsPath(tenant) + "/" + session;
        String withEverything = as(alice).body(Map.of("content", "Where is my order?", "client_message_id", "c-1",
                "metadata", Map.of("locale", "en"))).post(base + "/messages").then().statusCode(201)
                .extract().path("id");
        as(alice).body(Map.of("content", "no id, no metadata")).post(base + "/messages").then().statusCode(201);
        as(token(tenant, "bot", "service")).body(Map.of("content", "An assistant's answer"))
                .post(base + "/messages").then().statusCode(201);
        as(alice).delete(base + "/messages/" + withEverything).then().statusCode(204);
        String sam = token(tenant, "sam", "supporter");
        as(sam).post(base + "/claim").then().statusCode(200);
        as(sam).body(Map.of("to_user_id", "bob")).post(base + "/transfer").then().statusCode(200);
        as(token(tenant, "bob", "supporter")).delete(base + "/claim").then().statusCode(200);
        as(sam).body(Map.of("status", "closed")).patch(base).then().statusCode(200);
        as(alice).body(Map.of("rating", "good")).put(base + "/rating").then().statusCode(200);

        List<Event> events;
        try (EventTopic topic = new EventTopic()) {
            events = topic.forSession(session, 10, Duration.ofSeconds(30));
        }
        assertEquals(contract.messages("messageEvents"),
                events.stream().map(e -> e.value().get("type").asText()).collect(java.util.stream.Collectors.toSet()),
                "every message of the contract was published");
        List<String> violations = new ArrayList<>();
        for (Event event : events) {
            violations.addAll(contract.violations(event.value().toString(), event.headers()));
        }
        assertEquals(List.of(), violations);
    }

    @Test
    void theCheckCatchesARecordThatBreaksTheContract() {
        String broken = "{\"type\":\"MessageCreated\",\"event_id\":\"not-a-uuid\",\"tenant_id\":\"acme\","
                + "\"session_id\":\"0b5d2f3a-9a51-4b7e-8a55-1f0e3c1d2b44\",\"seq\":0,\"occurred_at\":\"yesterday\","
                + "\"message_id\":\"5e0c8d3c-7a4e-4f43-9f0c-9d2c1a3b4e55\",\"role\":\"robot\",\"content\":\"hi\","
                + "\"sender_user_id\":\"alice\",\"created_at\":\"2026-11-24T18:00:00Z\"}";
        List<String> violations = contract.violations(broken, Map.of("ce_specversion", "0.3"));
        for (String expected : List.of("event_id", "seq", "occurred_at", "role", "ce_specversion", "ce_id")) {
            assertFalse(violations.stream().noneMatch(v -> v.contains(expected)), expected + " in " + violations);
        }
    }
}
