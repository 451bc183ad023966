package com.parley.chat.api;

import static com.parley.chat.api.Api.as;
import static com.parley.chat.api.Api.newSession;
import static com.parley.chat.api.Api.sessionsPath;
import static com.parley.chat.api.Api.token;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import com.parley.infra.ChatInfraResource;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/**
 * A customer asks to have their chats erased (a privacy request): an admin erases them, and what
 * was written in them is gone from the API, from history and, through MessageDeleted, from every
 * consumer that honours it; nobody else's chats change.
 */
@QuarkusTest
@WithTestResource(ChatInfraResource.class)
class ErasureApiTest {

    private final String tenant = "t-" + UUID.randomUUID();

    private String erasures() {
        return "/api/tenants/" + tenant + "/erasures";
    }

    private void post(String session, String author, String role, String content) {
        // signed with a name, which the message keeps (sender_name) until it is erased
        as(com.parley.infra.ChatInfra.get().tokens().issueNamed(tenant, author, role, "Name of " + author))
                .body(Map.of("content", content, "metadata", Map.of("email", "alice@example.com")))
                .post(sessionsPath(tenant) + "/" + session + "/messages").then().statusCode(201);
    }

    private JsonPath history(String session) {
        return as(token(tenant, "sam", "supporter")).get(sessionsPath(tenant) + "/" + session + "/events")
                .then().statusCode(200).extract().jsonPath();
    }

    @Test
    void anAdminErasesEveryChatOfACustomerAndNothingElse() {
        String alice = com.parley.infra.ChatInfra.get().tokens().issueNamed(tenant, "alice", "user", "Alice Cooper");
        String open = as(alice).body(Map.of("metadata", Map.of("name", "Alice Liddell"))).post(sessionsPath(tenant))
                .then().statusCode(201).extract().path("id");
        post(open, "alice", "user", "my card is 4111 1111 1111 1111");
        post(open, "sam", "supporter", "thanks Alice, noted");
        String resolved = newSession(tenant, "alice");
        post(resolved, "alice", "user", "I live at 1 Main Street");
        as(token(tenant, "sam", "supporter")).body(Map.of("status", "resolved"))
                .patch(sessionsPath(tenant) + "/" + resolved).then().statusCode(200);
        String bobs = newSession(tenant, "bob");
        as(token(tenant, "sam", "supporter")).get(sessionsPath(tenant) + "/" + open).then()
                .body("customer_name", equalTo("Alice Cooper"));
        post(bobs, "bob", "user", "bob's own words");

        // only admins
        for (String role : List.of("user", "supporter", "service")) {
            as(token(tenant, "x", role)).body(Map.of("customer_user_id", "alice")).post(erasures()).then()
                    .statusCode(403).contentType("application/problem+json");
        }
        as(token(tenant, "ann", "admin")).body(Map.of()).post(erasures()).then().statusCode(422)
                .body("field", equalTo("customer_user_id"));
        // an admin of another tenant erasing "alice" there touches nothing here
        as(token("other-" + tenant, "ann", "admin")).body(Map.of("customer_user_id", "alice"))
                .post("/api/tenants/other-" + tenant + "/erasures").then().statusCode(200).body("sessions", equalTo(0));

        as(token(tenant, "ann", "admin")).body(Map.of("customer_user_id", "alice")).post(erasures()).then()
                .statusCode(200).body("customer_user_id", equalTo("alice")).body("sessions", equalTo(2))
                .body("messages", equalTo(3));

        String sam = token(tenant, "sam", "supporter");
        for (String session : List.of(open, resolved)) {
            as(sam).get(sessionsPath(tenant) + "/" + session + "/messages").then().statusCode(200)
                    .body("items.content", org.hamcrest.Matchers.everyItem(equalTo("")))
                    .body("items.deleted", org.hamcrest.Matchers.everyItem(equalTo(true)))
                    .body("items.metadata", org.hamcrest.Matchers.everyItem(nullValue()))
                    .body("items.sender_name", org.hamcrest.Matchers.everyItem(nullValue()));
            String events = history(session).prettify();
            // "4111" alone turns up in a random event id now and then (hex): it failed a CI run by chance
            for (String secret : List.of("4111 1111", "Main Street", "thanks Alice", "alice@example.com",
                    "Alice Liddell", "Alice Cooper", "Name of alice", "Name of sam")) {
                assertFalse(events.contains(secret), secret + " is still in the history of " + session + ": " + events);
            }
        }
        as(sam).get(sessionsPath(tenant) + "/" + open).then().statusCode(200).body("status", equalTo("closed"))
                .body("metadata", nullValue()).body("customer_name", nullValue());
        as(sam).get(sessionsPath(tenant) + "/" + resolved).then().body("status", equalTo("resolved"));
        // the chat is over for the customer: a new message is refused
        as(alice).body(Map.of("content", "one more")).post(sessionsPath(tenant) + "/" + open + "/messages").then()
                .statusCode(409);
        // bob's chat is as it was
        as(sam).get(sessionsPath(tenant) + "/" + bobs + "/messages").then()
                .body("items[0].content", equalTo("bob's own words")).body("items[0].deleted", equalTo(false))
                .body("items[0].sender_name", equalTo("Name of bob"));
        org.junit.jupiter.api.Assertions.assertTrue(history(bobs).prettify().contains("Name of bob"));

        // consumers of the topic are told, with the events they already honour
        try (EventTopic topic = new EventTopic()) {
            List<String> types = topic.forSession(open, 6, Duration.ofSeconds(20)).stream().map(EventTopic.Event::type)
                    .toList();
            assertEquals(List.of("SessionCreated", "MessageCreated", "MessageCreated", "MessageDeleted",
                    "MessageDeleted", "SessionStatusChanged"), types);
        }

        // asking again erases nothing more and emits nothing
        as(token(tenant, "ann", "admin")).body(Map.of("customer_user_id", "alice")).post(erasures()).then()
                .statusCode(200).body("sessions", equalTo(2)).body("messages", equalTo(0));
        assertEquals(6, history(open).getList("events").size());
    }
}
