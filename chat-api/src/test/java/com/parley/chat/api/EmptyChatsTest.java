package com.parley.chat.api;

import static com.parley.chat.api.Api.as;
import static com.parley.chat.api.Api.newClientMessageId;
import static com.parley.chat.api.Api.newSession;
import static com.parley.chat.api.Api.sessionsPath;
import static com.parley.chat.api.Api.token;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import com.parley.infra.ChatInfraResource;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;

/** A chat nobody wrote in is closed after a while, as staff close one; a chat with a message stays open. */
@QuarkusTest
@TestProfile(EmptyChatsTest.QuickToClose.class)
@WithTestResource(ChatInfraResource.class)
class EmptyChatsTest {

    public static class QuickToClose implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("parley.chat-api.empty-chats.close-after", "3S",
                    "parley.chat-api.empty-chats.check-every", "1S");
        }
    }

    private final String tenant = "t-" + UUID.randomUUID();

    @Test
    void aChatNobodyWroteInIsClosedByThePlatformAndOneWithAMessageStaysOpen() throws InterruptedException {
        String empty = newSession(tenant, "visitor-who-left");
        String written = newSession(tenant, "alice");
        as(token(tenant, "alice", "user")).body(Map.of("content", "Hello?", "client_message_id", newClientMessageId()))
                .post(sessionsPath(tenant) + "/" + written + "/messages").then().statusCode(201);
        String sam = token(tenant, "sam", "supporter");
        String staffWritten = newSession(tenant, "bob"); // staff answered before the customer wrote: not empty
        as(sam).body(Map.of("content", "Hi Bob, how can we help?", "client_message_id", newClientMessageId()))
                .post(sessionsPath(tenant) + "/" + staffWritten + "/messages").then().statusCode(201);

        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        String status = "open";
        while (!"closed".equals(status) && System.nanoTime() < deadline) {
            Thread.sleep(250);
            status = as(sam).get(sessionsPath(tenant) + "/" + empty).then().extract().path("status");
        }
        assertEquals("closed", status, "the empty chat is closed");
        JsonPath history = as(sam).get(sessionsPath(tenant) + "/" + empty + "/events").jsonPath();
        assertEquals(List.of("SessionCreated", "SessionStatusChanged"), history.getList("events.type"));
        assertEquals("closed", history.getString("events[1].status"));
        assertEquals("parley", history.getString("events[1].changed_by"), "closed by the platform, not a person");

        Thread.sleep(2000); // more runs of the check: the others stay as they are
        for (String open : List.of(written, staffWritten)) {
            as(sam).get(sessionsPath(tenant) + "/" + open).then().statusCode(200)
                    .body("status", org.hamcrest.Matchers.equalTo("open"));
        }
    }
}
