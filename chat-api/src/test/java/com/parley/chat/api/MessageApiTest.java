package com.parley.chat.api;

import static com.parley.chat.api.Api.as;
import static com.parley.chat.api.Api.newClientMessageId;
import static com.parley.chat.api.Api.newSession;
import static com.parley.chat.api.Api.sessionsPath;
import static com.parley.chat.api.Api.token;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import com.parley.infra.ChatInfraResource;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

@QuarkusTest
@WithTestResource(ChatInfraResource.class)
class MessageApiTest {

    private final String tenant = "t-" + UUID.randomUUID();

    private String messagesPath(String sessionId) {
        return sessionsPath(tenant) + "/" + sessionId + "/messages";
    }

    @Test
    void postingIsIdempotentOnClientMessageId() {
        String session = newSession(tenant, "alice");
        String alice = token(tenant, "alice", "user");
        String clientId = newClientMessageId();
        Map<String, Object> body = Map.of("content", "  Hello, I need help  ", "client_message_id", clientId);

        String id = as(alice).body(body).post(messagesPath(session)).then().statusCode(201)
                .body("content", equalTo("Hello, I need help"))
                .body("role", equalTo("user"))
                .body("sender_user_id", equalTo("alice"))
                .body("client_message_id", equalTo(clientId))
                .body("seq", equalTo(2))
                .extract().path("id");
        as(alice).body(body).post(messagesPath(session)).then().statusCode(200)
                .body("id", equalTo(id)).body("seq", equalTo(2));
        // a retry is recognised even if the client changed the text in between
        as(alice).body(Map.of("content", "different", "client_message_id", clientId)).post(messagesPath(session))
                .then().statusCode(200).body("id", equalTo(id)).body("content", equalTo("Hello, I need help"));
        as(alice).get(messagesPath(session)).then().statusCode(200).body("items", hasSize(1));
    }

    /** The Location of a stored message can be followed (it answered 405: there was no such GET). */
    @Test
    void theLocationOfAPostedMessageIsTheMessage() {
        String session = newSession(tenant, "alice");
        String alice = token(tenant, "alice", "user");
        io.restassured.response.Response posted = as(alice).body(Map.of("content", "where is my parcel?"))
                .post(messagesPath(session)).then().statusCode(201).extract().response();
        String location = posted.header("Location");
        String id = posted.path("id");
        as(alice).get(location).then().statusCode(200).body("id", equalTo(id))
                .body("content", equalTo("where is my parcel?")).body("seq", equalTo(2));
        as(token(tenant, "sam", "supporter")).get(location).then().statusCode(200).body("id", equalTo(id));
        // another customer, another tenant, another session's path: not found, as for the session
        as(token(tenant, "bob", "user")).get(location).then().statusCode(404)
                .contentType("application/problem+json");
        as(token("other-" + tenant, "alice", "user")).get(location.replace(tenant, "other-" + tenant)).then()
                .statusCode(404);
        as(alice).get(messagesPath(newSession(tenant, "alice")) + "/" + id).then().statusCode(404)
                .body("type", equalTo("https://parley.chat/problems/message-not-found"));
        // deleted: still there, blanked, as in the list
        as(alice).delete(location).then().statusCode(204);
        as(alice).get(location).then().statusCode(200).body("deleted", is(true)).body("content", equalTo(""));
    }

    @Test
    void aRetryAfterTheSessionClosedStillGetsItsMessageWhileANewPostIsRefused() {
        String session = newSession(tenant, "alice");
        String alice = token(tenant, "alice", "user");
        String clientId = newClientMessageId();
        Map<String, Object> body = Map.of("content", "did this arrive?", "client_message_id", clientId);
        String id = as(alice).body(body).post(messagesPath(session)).then().statusCode(201).extract().path("id");
        as(token(tenant, "sam", "supporter")).body(Map.of("status", "closed")).patch(sessionsPath(tenant) + "/" + session)
                .then().statusCode(200);

        // the answer to the first post was lost; the retry comes after the close
        as(alice).body(body).post(messagesPath(session)).then().statusCode(200)
                .body("id", equalTo(id)).body("seq", equalTo(2));
        as(alice).body(Map.of("content", "one more", "client_message_id", newClientMessageId()))
                .post(messagesPath(session)).then().statusCode(409)
                .body("type", equalTo("https://parley.chat/problems/session-not-open"));
        as(alice).get(messagesPath(session)).then().statusCode(200).body("items", hasSize(1));
    }

    @Test
    void aMessageKeepsTheNameItsSenderSignedWithUntilItIsDeleted() {
        String session = newSession(tenant, "alice");
        var tokens = com.parley.infra.ChatInfra.get().tokens();
        String alice = tokens.issueNamed(tenant, "alice", "user", "Alice Doe");
        String sam = tokens.issueNamed(tenant, "sam", "supporter", "Sam Smith");
        // the first post to a session here locks its row; the next ones go at the seq known here, in
        // one statement shared with other sessions' posts: each way keeps the name
        String first = as(alice).body(Map.of("content", "hello")).post(messagesPath(session)).then().statusCode(201)
                .body("sender_name", equalTo("Alice Doe")).extract().path("id");
        as(sam).body(Map.of("content", "Hi Alice")).post(messagesPath(session)).then().statusCode(201)
                .body("sender_name", equalTo("Sam Smith"));
        as(alice).body(Map.of("content", "thanks")).post(messagesPath(session)).then().statusCode(201)
                .body("sender_name", equalTo("Alice Doe"));
        as(token(tenant, "bot", "service")).body(Map.of("content", "Rate us?")).post(messagesPath(session)).then()
                .statusCode(201).body("sender_name", org.hamcrest.Matchers.nullValue());
        as(alice).get(messagesPath(session)).then().statusCode(200)
                .body("items.sender_name", equalTo(java.util.Arrays.asList("Alice Doe", "Sam Smith", "Alice Doe", null)));
        io.restassured.path.json.JsonPath history = as(sam).get(sessionsPath(tenant) + "/" + session + "/events")
                .then().statusCode(200).extract().jsonPath();
        assertEquals(java.util.Arrays.asList(null, "Alice Doe", "Sam Smith", "Alice Doe", null),
                history.getList("events.sender_name"));

        // deleted: the name goes with the words, from the message and from history
        as(alice).delete(messagesPath(session) + "/" + first).then().statusCode(204);
        as(sam).get(messagesPath(session) + "/" + first).then().statusCode(200)
                .body("sender_name", org.hamcrest.Matchers.nullValue()).body("sender_user_id", equalTo("alice"));
        assertEquals(java.util.Arrays.asList(null, null, "Sam Smith", "Alice Doe", null, null),
                as(sam).get(sessionsPath(tenant) + "/" + session + "/events").then().extract().jsonPath()
                        .getList("events.sender_name"));
    }

    @Test
    void theRoleComesFromTheTokenNeverFromTheBody() {
        String session = newSession(tenant, "alice");
        as(token(tenant, "alice", "user")).body(Map.of("content", "hi", "role", "admin"))
                .post(messagesPath(session)).then().statusCode(201).body("role", equalTo("user"));
        as(token(tenant, "sam", "supporter")).body(Map.of("content", "hello")).post(messagesPath(session))
                .then().statusCode(201).body("role", equalTo("supporter"));
        as(token(tenant, "root", "admin")).body(Map.of("content", "hello")).post(messagesPath(session))
                .then().statusCode(201).body("role", equalTo("admin"));
        as(token(tenant, "ai-assistant", "service")).body(Map.of("content", "Can I help?"))
                .post(messagesPath(session)).then().statusCode(201).body("role", equalTo("assistant"));
        as(token(tenant, "alice", "user")).get(messagesPath(session)).then()
                .body("items.role", equalTo(List.of("user", "supporter", "admin", "assistant")))
                .body("items.seq", equalTo(List.of(2, 3, 4, 5)));
    }

    @Test
    void contentIsTrimmedNonEmptyAndBounded() {
        String session = newSession(tenant, "alice");
        String alice = token(tenant, "alice", "user");
        as(alice).body(Map.of("content", "   \n\t ")).post(messagesPath(session)).then().statusCode(422)
                .contentType("application/problem+json")
                .body("type", equalTo("https://parley.chat/problems/validation-failed"))
                .body("field", equalTo("content"));
        // blank to the reader too: no-break and em spaces (what Option+Space types on a Mac), a zero-width space, a BOM
        for (String blank : List.of("\u00a0", "\u00a0\u2003 \u3000", "\u200b", " \ufeff\u200b\u2060 ")) {
            as(alice).body(Map.of("content", blank)).post(messagesPath(session)).then().statusCode(422)
                    .body("field", equalTo("content"));
        }
        as(alice).body(Map.of("client_message_id", "x")).post(messagesPath(session)).then().statusCode(422);
        as(alice).body(Map.of("content", "x".repeat(4001))).post(messagesPath(session)).then().statusCode(422)
                .body("detail", containsString("4000"));
        as(alice).body(Map.of("content", "y".repeat(4000))).post(messagesPath(session)).then().statusCode(201);
        // the edges are trimmed as the browser client's String.trim() does: no-break spaces too
        as(alice).body(Map.of("content", "\u00a0 hi\u00a0there\u2003\ufeff")).post(messagesPath(session)).then()
                .statusCode(201).body("content", equalTo("hi\u00a0there"));
        Map<String, Object> metadata = new HashMap<>();
        metadata.put("blob", "z".repeat(5000));
        as(alice).body(Map.of("content", "ok", "metadata", metadata)).post(messagesPath(session)).then()
                .statusCode(422).body("field", equalTo("metadata"));
        as(alice).body(Map.of("content", "ok", "client_message_id", "c".repeat(129))).post(messagesPath(session))
                .then().statusCode(422).body("field", equalTo("client_message_id"));
        // nothing of the refused posts was stored
        as(alice).get(messagesPath(session)).then().body("items", hasSize(2)).body("items.seq", equalTo(List.of(2, 3)));
    }

    @Test
    void emojiComeBackAsTheyWentInFourBytesEachNotAsEscapedSurrogatePairs() {
        String session = newSession(tenant, "alice");
        String alice = token(tenant, "alice", "user");
        String content = "Thanks 😀🎉 " + "👍".repeat(100);
        as(alice).body(Map.of("content", content)).post(messagesPath(session)).then().statusCode(201);

        byte[] page = as(alice).get(messagesPath(session)).then().statusCode(200).extract().asByteArray();
        String body = new String(page, StandardCharsets.UTF_8);
        // Jackson's UTF-8 writer escapes a character beyond U+FFFF as two escaped surrogates (12 bytes) unless told
        // otherwise: a history page of an emoji-rich chat was three times its size
        assertTrue(body.contains(content), body);
        assertFalse(body.contains("\\uD83D"), body);
        as(alice).get(messagesPath(session)).then().body("items[0].content", equalTo(content));
    }

    @Test
    void badBodiesGetClearProblems() {
        String session = newSession(tenant, "alice");
        String alice = token(tenant, "alice", "user");
        as(alice).body("{\"content\": \"unterminated").post(messagesPath(session)).then().statusCode(400)
                .contentType("application/problem+json")
                .body("type", equalTo("https://parley.chat/problems/malformed-body"))
                .body("detail", not(containsString("com.fasterxml")));
        as(alice).body("{\"content\": {\"nested\": true}}").post(messagesPath(session)).then().statusCode(400)
                .body("type", equalTo("https://parley.chat/problems/malformed-body"))
                .body("field", equalTo("content"));
        // a scalar of the wrong type is not quietly converted: 5 is not the text "5"
        as(alice).body("{\"content\": 5, \"client_message_id\": \"n-1\"}").post(messagesPath(session)).then()
                .statusCode(400).body("field", equalTo("content"));
        as(alice).body("{\"content\": true}").post(messagesPath(session)).then().statusCode(400)
                .body("field", equalTo("content"));
        as(alice).body("{\"up_to_seq\": \"1\"}").put(sessionsPath(tenant) + "/" + session + "/read").then()
                .statusCode(400).body("field", equalTo("up_to_seq"));
        as(alice).body("[1,2,3]").post(messagesPath(session)).then().statusCode(400);
        given().auth().oauth2(alice).contentType(ContentType.TEXT).body("hello").post(messagesPath(session))
                .then().statusCode(415).contentType("application/problem+json")
                .body("type", equalTo("https://parley.chat/problems/unsupported-media-type"));
        as(alice).body(Map.of("content", "x".repeat(70_000))).post(messagesPath(session)).then().statusCode(413)
                .contentType("application/problem+json")
                .body("type", equalTo("https://parley.chat/problems/payload-too-large"));
        as(alice).body(Map.of("content", "hi")).post(sessionsPath(tenant) + "/" + UUID.randomUUID() + "/messages")
                .then().statusCode(404).body("type", equalTo("https://parley.chat/problems/session-not-found"));
        as(alice).get(messagesPath(session)).then().body("items", hasSize(0));
    }

    @Test
    void authorOrStaffDeleteAMessageAndHistoryNoLongerShowsItsContent() {
        String session = newSession(tenant, "alice");
        String alice = token(tenant, "alice", "user");
        String sam = token(tenant, "sam", "supporter");
        String mine = as(alice).body(Map.of("content", "my secret", "metadata", Map.of("card", "4111 1111 1111 1111")))
                .post(messagesPath(session)).then().statusCode(201).extract().path("id");
        String staffs = as(sam).body(Map.of("content", "from staff")).post(messagesPath(session)).then()
                .statusCode(201).extract().path("id");

        // the session names the message its preview shows, so that a list can drop it when it is deleted
        as(sam).get(sessionsPath(tenant) + "/" + session).then().body("last_message_id", equalTo(staffs))
                .body("last_message_preview", equalTo("from staff"));
        as(alice).delete(messagesPath(session) + "/" + staffs).then().statusCode(403)
                .contentType("application/problem+json");
        as(alice).delete(messagesPath(session) + "/" + mine).then().statusCode(204);
        as(alice).delete(messagesPath(session) + "/" + mine).then().statusCode(204); // repeat: no second event
        as(sam).delete(messagesPath(session) + "/" + staffs).then().statusCode(204);
        as(sam).get(sessionsPath(tenant) + "/" + session).then().body("last_message_id", equalTo(staffs))
                .body("$", org.hamcrest.Matchers.not(org.hamcrest.Matchers.hasKey("last_message_preview")));
        as(sam).delete(messagesPath(session) + "/" + UUID.randomUUID()).then().statusCode(404)
                .body("type", equalTo("https://parley.chat/problems/message-not-found"));

        as(alice).get(messagesPath(session)).then()
                .body("items.deleted", equalTo(List.of(true, true)))
                .body("items.content", equalTo(List.of("", "")));
        String history = as(alice).get(sessionsPath(tenant) + "/" + session + "/events").then().statusCode(200)
                .body("events.type", equalTo(List.of("SessionCreated", "MessageCreated", "MessageCreated",
                        "MessageDeleted", "MessageDeleted")))
                .body("events.seq", equalTo(List.of(1, 2, 3, 4, 5)))
                .body("events[3].message_id", equalTo(mine))
                .body("last_seq", equalTo(5))
                .extract().asString();
        assertFalse(history.contains("my secret"), "deleted content in history");
        assertFalse(history.contains("4111"), "deleted metadata in history");
        assertFalse(as(alice).get(messagesPath(session)).asString().contains("4111"),
                "deleted metadata in the message list");
    }

    @Test
    void aMessageIsDeletedInAClosedChatToo() { // what was said in error is taken back after the chat ended
        String session = newSession(tenant, "alice");
        String alice = token(tenant, "alice", "user");
        String mine = as(alice).body(Map.of("content", "my card is 4111 1111 1111 1111")).post(messagesPath(session))
                .then().statusCode(201).extract().path("id");
        as(token(tenant, "sam", "supporter")).body(Map.of("status", "resolved"))
                .patch(sessionsPath(tenant) + "/" + session).then().statusCode(200);
        as(alice).delete(messagesPath(session) + "/" + mine).then().statusCode(204);
        as(alice).get(sessionsPath(tenant) + "/" + session + "/events").then().statusCode(200)
                .body("events.type", equalTo(List.of("SessionCreated", "MessageCreated", "SessionStatusChanged",
                        "MessageDeleted")))
                .body("events[1].content", equalTo(""));
    }

    @Test
    void aCursorBeyondTheSessionsLastSeqIsToldWhereTheSessionStandsSoThatItsNextEventsAreNotMissed() {
        // a client holding seqs the session no longer has (its database was restored to an earlier
        // point) pages on from the session's last seq, as the gateway's resync_required tells a socket
        String session = newSession(tenant, "alice");
        String alice = token(tenant, "alice", "user");
        as(alice).body(Map.of("content", "m1")).post(messagesPath(session)).then().statusCode(201);
        String events = sessionsPath(tenant) + "/" + session + "/events";
        int next = as(alice).queryParam("after_seq", 99).get(events).then().statusCode(200)
                .body("events", hasSize(0)).body("has_more", is(false)).body("last_seq", equalTo(2))
                .extract().path("next_after_seq");
        assertEquals(2, next, "not 99: every event the session gets next has a seq below it");
        as(alice).queryParam("after_seq", 99).get(messagesPath(session)).then().statusCode(200)
                .body("items", hasSize(0)).body("next_after_seq", equalTo(2));

        as(alice).body(Map.of("content", "m2")).post(messagesPath(session)).then().statusCode(201);
        as(alice).queryParam("after_seq", next).get(events).then()
                .body("events.content", equalTo(List.of("m2"))).body("next_after_seq", equalTo(3));
    }

    @Test
    void historyPagesThroughEventsAfterASeq() {
        String session = newSession(tenant, "alice");
        String alice = token(tenant, "alice", "user");
        for (int i = 1; i <= 7; i++) {
            as(alice).body(Map.of("content", "m" + i)).post(messagesPath(session)).then().statusCode(201);
        }
        String events = sessionsPath(tenant) + "/" + session + "/events";
        as(alice).queryParam("after_seq", 0).queryParam("limit", 3).get(events).then()
                .body("events.seq", equalTo(List.of(1, 2, 3))).body("has_more", is(true))
                .body("next_after_seq", equalTo(3)).body("last_seq", equalTo(8));
        as(alice).queryParam("after_seq", 3).queryParam("limit", 3).get(events).then()
                .body("events.seq", equalTo(List.of(4, 5, 6))).body("events[0].content", equalTo("m3"));
        as(alice).queryParam("after_seq", 6).queryParam("limit", 3).get(events).then()
                .body("events.seq", equalTo(List.of(7, 8))).body("has_more", is(false))
                .body("next_after_seq", equalTo(8));
        as(alice).queryParam("after_seq", 8).get(events).then()
                .body("events", hasSize(0)).body("next_after_seq", equalTo(8));
        as(alice).queryParam("after_seq", -1).get(events).then().statusCode(400);
        as(alice).queryParam("after_seq", "abc").get(events).then().statusCode(400);
        as(token(tenant, "bob", "user")).get(events).then().statusCode(404);
        as(alice).queryParam("after_seq", 2).queryParam("limit", 2).get(messagesPath(session)).then()
                .body("items.seq", equalTo(List.of(3, 4))).body("has_more", is(true))
                .body("next_after_seq", equalTo(4));
    }

    @Test
    void postsAroundAnotherWritersEventTakeTheNextSeqsAndAnotherCustomerCannotPost() {
        String session = newSession(tenant, "alice");
        String alice = token(tenant, "alice", "user");
        String sam = token(tenant, "sam", "supporter");
        as(alice).body(Map.of("content", "m1")).post(messagesPath(session)).then().statusCode(201)
                .body("seq", equalTo(2));
        as(alice).body(Map.of("content", "m2")).post(messagesPath(session)).then().statusCode(201)
                .body("seq", equalTo(3));
        // another writer moves the session on between two posts of this instance
        as(sam).post(sessionsPath(tenant) + "/" + session + "/claim").then().statusCode(200);
        as(alice).body(Map.of("content", "m3")).post(messagesPath(session)).then().statusCode(201)
                .body("seq", equalTo(5));
        as(sam).body(Map.of("content", "m4")).post(messagesPath(session)).then().statusCode(201)
                .body("seq", equalTo(6));
        as(token(tenant, "bob", "user")).body(Map.of("content", "not mine")).post(messagesPath(session))
                .then().statusCode(404);
        as(alice).queryParam("after_seq", 0).get(sessionsPath(tenant) + "/" + session + "/events").then()
                .body("events.seq", equalTo(List.of(1, 2, 3, 4, 5, 6)))
                .body("events.type", equalTo(List.of("SessionCreated", "MessageCreated", "MessageCreated",
                        "SessionClaimed", "MessageCreated", "MessageCreated")));
    }
}
