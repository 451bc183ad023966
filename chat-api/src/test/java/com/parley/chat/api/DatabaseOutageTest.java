package com.parley.chat.api;

import static com.parley.chat.api.Api.as;
import static com.parley.chat.api.Api.newSession;
import static com.parley.chat.api.Api.sessionsPath;
import static com.parley.chat.api.Api.token;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import com.parley.infra.ChatInfra;
import com.parley.infra.ChatInfraResource;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
@WithTestResource(ChatInfraResource.class)
class DatabaseOutageTest {

    @Test
    void aDatabaseOutageAnswers503QuicklyAndServiceResumesAfterwards() {
        String tenant = "t-" + UUID.randomUUID();
        String session = newSession(tenant, "alice");
        String alice = token(tenant, "alice", "user");
        String path = sessionsPath(tenant) + "/" + session + "/messages";
        // a post before: the next one takes the path of posts written together (PostBatches)
        as(alice).body(Map.of("content", "hello")).post(path).then().statusCode(201);

        ChatInfra.get().postgres().stop();
        try {
            long started = System.nanoTime();
            as(alice).body(Map.of("content", "anyone?", "client_message_id", "db-1")).post(path).then()
                    .statusCode(503).contentType("application/problem+json")
                    .header("Retry-After", "5")
                    .body("type", equalTo("https://parley.chat/problems/service-unavailable"));
            assertTrue(Duration.ofNanos(System.nanoTime() - started).toSeconds() < 10, "the request hung");
            as(alice).get(sessionsPath(tenant) + "/" + session).then().statusCode(503);
        } finally {
            ChatInfra.get().postgres().start();
        }
        // the retry of the refused post is stored once, after the outage
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        int status = 0;
        while (System.nanoTime() < deadline && status != 201) {
            status = as(alice).body(Map.of("content", "anyone?", "client_message_id", "db-1")).post(path).statusCode();
        }
        assertTrue(status == 201, "chat-api did not recover after the database returned: " + status);
        as(alice).get(path).then().statusCode(200).body("items.content", equalTo(List.of("hello", "anyone?")));
    }
}
