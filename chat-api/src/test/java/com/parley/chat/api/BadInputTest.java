package com.parley.chat.api;

import static com.parley.chat.api.Api.as;
import static com.parley.chat.api.Api.newSession;
import static com.parley.chat.api.Api.sessionsPath;
import static com.parley.chat.api.Api.token;
import static org.hamcrest.Matchers.equalTo;

import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import com.parley.infra.ChatInfraResource;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Input that PostgreSQL or Java arithmetic cannot take gets a 4xx problem, never a 500 (findings of
 * the outside review); and a retry never returns another participant's message.
 */
@QuarkusTest
@WithTestResource(ChatInfraResource.class)
class BadInputTest {

    private final String tenant = "t-" + UUID.randomUUID();

    private String messages(String session) {
        return sessionsPath(tenant) + "/" + session + "/messages";
    }

    @Test
    void nulInMetadataOrClientMessageIdIsAValidationProblem() {
        String session = newSession(tenant, "alice");
        String alice = token(tenant, "alice", "user");
        as(alice).body(Map.of("content", "hi", "metadata", Map.of("k", "a\u0000b"))).post(messages(session)).then()
                .statusCode(422).contentType("application/problem+json").body("field", equalTo("metadata"));
        as(alice).body(Map.of("content", "hi", "metadata", Map.of("k\u0000", "v"))).post(messages(session)).then()
                .statusCode(422).body("field", equalTo("metadata"));
        as(alice).body(Map.of("content", "hi", "client_message_id", "c\u0000")).post(messages(session)).then()
                .statusCode(422).body("field", equalTo("client_message_id"));
        as(alice).body(Map.of("content", "still fine", "client_message_id", "c-1")).post(messages(session)).then()
                .statusCode(201);
    }

    @Test
    void aPageBeyondTheIntegerRangeIsABadRequest() {
        as(token(tenant, "sam", "supporter")).queryParam("page", Integer.MAX_VALUE).queryParam("size", 100)
                .get(sessionsPath(tenant)).then().statusCode(400).contentType("application/problem+json");
    }

    @Test
    void aTenantClaimLongerThanTheColumnIsRefusedAsAToken() {
        String longTenant = "t".repeat(65);
        as(token(longTenant, "alice", "user")).body("{}").post(sessionsPath(longTenant)).then().statusCode(401)
                .contentType("application/problem+json");
    }

    @Test
    void aRetryReturnsOnlyTheSendersOwnMessage() {
        String session = newSession(tenant, "alice");
        as(token(tenant, "alice", "user")).body(Map.of("content", "my private words", "client_message_id", "k-1"))
                .post(messages(session)).then().statusCode(201);
        as(token(tenant, "sam", "supporter")).body(Map.of("content", "reply", "client_message_id", "k-1"))
                .post(messages(session)).then().statusCode(409)
                .body("type", equalTo("https://parley.chat/problems/client-message-id-taken"))
                .body("content", org.hamcrest.Matchers.nullValue());
        as(token(tenant, "alice", "user")).body(Map.of("content", "my private words", "client_message_id", "k-1"))
                .post(messages(session)).then().statusCode(200).body("content", equalTo("my private words"));
    }
}
