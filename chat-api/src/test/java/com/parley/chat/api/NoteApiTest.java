package com.parley.chat.api;

import static com.parley.chat.api.Api.as;
import static com.parley.chat.api.Api.newSession;
import static com.parley.chat.api.Api.sessionsPath;
import static com.parley.chat.api.Api.token;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import com.parley.infra.ChatInfra;
import com.parley.infra.ChatInfraResource;
import com.parley.infra.EventContract;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** Staff's notes on a session: staff and services write and read them, the customer never sees one. */
@QuarkusTest
@WithTestResource(ChatInfraResource.class)
class NoteApiTest {

    private static final String PROBLEMS = "https://parley.chat/problems/";

    private final String tenant = "t-" + UUID.randomUUID();
    private final String sam = ChatInfra.get().tokens().issueNamed(tenant, "sam", "supporter", "Sam Smith");

    private String notes(String session) {
        return sessionsPath(tenant) + "/" + session + "/notes";
    }

    @Test
    void staffAndServicesWriteNotesThatEveryStaffMemberReadsInOrder() {
        String session = newSession(tenant, "alice");
        as(sam).body(Map.of("content", "  Asked for a refund of order 42.  ")).post(notes(session)).then()
                .statusCode(201).body("content", equalTo("Asked for a refund of order 42."))
                .body("author_user_id", equalTo("sam")).body("author_name", equalTo("Sam Smith"))
                .body("author_role", equalTo("supporter")).body("session_id", equalTo(session));
        as(token(tenant, "bot", "service")).body(Map.of("content", "Summary: wants a refund.")).post(notes(session))
                .then().statusCode(201).body("author_role", equalTo("assistant"));
        for (String reader : List.of(sam, token(tenant, "ann", "admin"), token(tenant, "bot", "service"))) {
            as(reader).get(notes(session)).then().statusCode(200)
                    .body("notes.content", contains("Asked for a refund of order 42.", "Summary: wants a refund."));
        }
        as(sam).get(notes(newSession(tenant, "bob"))).then().statusCode(200).body("notes", empty());
    }

    @Test
    void theCustomerNeitherReadsNorWritesNotesNorFindsThemInTheirHistory() {
        String session = newSession(tenant, "alice");
        as(sam).body(Map.of("content", "Angry customer, be careful")).post(notes(session)).then().statusCode(201);
        String alice = token(tenant, "alice", "user");
        as(alice).get(notes(session)).then().statusCode(403).body("type", equalTo(PROBLEMS + "forbidden"));
        as(alice).body(Map.of("content", "a note of my own")).post(notes(session)).then().statusCode(403);
        as(alice).get(sessionsPath(tenant) + "/" + session + "/events").then().statusCode(200)
                .body(not(containsString("Angry customer")));
        as(alice).get(sessionsPath(tenant) + "/" + session).then().statusCode(200).body("last_seq", equalTo(1));
    }

    @Test
    void anotherTenantsSessionHasNoNotesAndBadNotesAreRefused() {
        String session = newSession(tenant, "alice");
        String stranger = token("other-" + tenant, "sam", "supporter");
        as(stranger).get("/api/tenants/other-" + tenant + "/sessions/" + session + "/notes").then().statusCode(404)
                .body("type", equalTo(PROBLEMS + "session-not-found"));
        as(stranger).body(Map.of("content", "x")).post("/api/tenants/other-" + tenant + "/sessions/" + session + "/notes")
                .then().statusCode(404);
        as(sam).body(Map.of("content", "x")).post(notes(UUID.randomUUID().toString())).then().statusCode(404);
        as(sam).body(Map.of("content", " \u200b ")).post(notes(session)).then().statusCode(422)
                .body("field", equalTo("content"));
        as(sam).body(Map.of()).post(notes(session)).then().statusCode(422).body("field", equalTo("content"));
        as(sam).body(Map.of("content", "x".repeat(4001))).post(notes(session)).then().statusCode(422);
        as(sam).body(Map.of("content", "a\u0000b")).post(notes(session)).then().statusCode(422);
        as(sam).body("{\"content\": 42}").post(notes(session)).then().statusCode(400);
        as(sam).get(notes(session)).then().body("notes", empty());
    }

    @Test
    void aNoteIsWrittenAfterTheChatEndedAndPublishedForStaffAsTheContractSays() {
        String session = newSession(tenant, "alice");
        as(sam).body(Map.of("status", "resolved")).patch(sessionsPath(tenant) + "/" + session).then().statusCode(200);
        String noteId = as(sam).body(Map.of("content", "Refund sent.")).post(notes(session)).then().statusCode(201)
                .extract().path("id");
        List<EventTopic.Event> records;
        try (EventTopic topic = new EventTopic("chat.tenant-events")) {
            records = topic.read(e -> noteId.equals(e.value().path("note_id").asText()), 1, Duration.ofSeconds(30));
        }
        assertEquals(1, records.size());
        EventTopic.Event record = records.getFirst();
        assertEquals("NoteAdded", record.value().path("type").asText());
        assertEquals(session, record.value().path("session_id").asText());
        assertEquals("Refund sent.", record.value().path("content").asText());
        assertEquals("chat.session.note.added.v1", record.headers().get("ce_type"));
        assertEquals(List.of(), EventContract.load(Path.of(".")).violations(record.value().toString(),
                record.headers()));
        // never on the session's own topic, where the customer's pages and any consumer read
        try (EventTopic sessionTopic = new EventTopic("chat.message-events")) {
            assertEquals(List.of(), sessionTopic.read(e -> "NoteAdded".equals(e.value().path("type").asText())
                    && session.equals(e.value().path("session_id").asText()), 1, Duration.ofSeconds(3)));
        }
    }

    @Test
    void aNoteIsDeletedByItsAuthorOrAnAdminAndTheStaffArePublishedItsEnd() {
        String session = newSession(tenant, "alice");
        String mine = as(sam).body(Map.of("content", "Card number 4111 pasted here by mistake")).post(notes(session))
                .then().statusCode(201).extract().path("id");
        String other = as(token(tenant, "bob", "supporter")).body(Map.of("content", "Bob's note")).post(notes(session))
                .then().statusCode(201).extract().path("id");
        as(token(tenant, "bob", "supporter")).delete(notes(session) + "/" + mine).then().statusCode(403)
                .body("type", equalTo(PROBLEMS + "forbidden"));
        as(token(tenant, "alice", "user")).delete(notes(session) + "/" + mine).then().statusCode(403);
        as(token("other-" + tenant, "sam", "supporter"))
                .delete("/api/tenants/other-" + tenant + "/sessions/" + session + "/notes/" + mine).then().statusCode(404);
        as(sam).delete(notes(newSession(tenant, "zoe")) + "/" + mine).then().statusCode(404)
                .body("type", equalTo(PROBLEMS + "note-not-found")); // another session's note

        as(sam).delete(notes(session) + "/" + mine).then().statusCode(204);
        as(sam).delete(notes(session) + "/" + mine).then().statusCode(404).body("type", equalTo(PROBLEMS + "note-not-found"));
        as(token(tenant, "ann", "admin")).delete(notes(session) + "/" + other).then().statusCode(204);
        as(sam).get(notes(session)).then().body("notes", empty());

        List<EventTopic.Event> records;
        try (EventTopic topic = new EventTopic("chat.tenant-events")) {
            records = topic.read(e -> "NoteDeleted".equals(e.value().path("type").asText())
                    && session.equals(e.value().path("session_id").asText()), 2, Duration.ofSeconds(30));
        }
        assertEquals(List.of(mine, other), records.stream().map(r -> r.value().path("note_id").asText()).toList());
        assertEquals(List.of("sam", "ann"), records.stream().map(r -> r.value().path("by").asText()).toList());
        for (EventTopic.Event record : records) {
            assertEquals("chat.session.note.deleted.v1", record.headers().get("ce_type"));
            assertEquals(List.of(), EventContract.load(Path.of(".")).violations(record.value().toString(),
                    record.headers()));
        }
    }

    @Test
    void anErasureOfTheCustomerDeletesTheNotesOnTheirChats() {
        String session = newSession(tenant, "erin");
        String kept = newSession(tenant, "frank");
        as(sam).body(Map.of("content", "Erin lives at 1 Main St")).post(notes(session)).then().statusCode(201);
        as(sam).body(Map.of("content", "Frank's note")).post(notes(kept)).then().statusCode(201);
        as(token(tenant, "ann", "admin")).body(Map.of("customer_user_id", "erin"))
                .post("/api/tenants/" + tenant + "/erasures").then().statusCode(200);
        as(sam).get(notes(session)).then().statusCode(200).body("notes", empty());
        as(sam).get(notes(kept)).then().body("notes.content", contains("Frank's note"));
    }
}
