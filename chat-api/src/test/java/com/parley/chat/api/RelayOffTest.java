package com.parley.chat.api;

import static com.parley.chat.api.Api.as;
import static com.parley.chat.api.Api.newSession;
import static com.parley.chat.api.Api.sessionsPath;
import static com.parley.chat.api.Api.token;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import javax.sql.DataSource;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import com.parley.infra.ChatInfraResource;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * With {@code parley.chat-api.outbox.relay-enabled=false} (something else publishes the outbox, as
 * change data capture would) chat-api still writes every event to the outbox, publishes none of
 * them itself, and stays live.
 */
@QuarkusTest
@TestProfile(RelayOffTest.RelayOff.class)
@WithTestResource(ChatInfraResource.class)
class RelayOffTest {

    public static class RelayOff implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("parley.chat-api.outbox.relay-enabled", "false");
        }
    }

    @Inject
    DataSource dataSource;

    @Test
    void eventsStayInTheOutboxAndNoneReachTheTopic() throws SQLException {
        String tenant = "t-" + UUID.randomUUID();
        String session = newSession(tenant, "alice");
        as(token(tenant, "alice", "user")).body(Map.of("content", "hello", "client_message_id", "c-1"))
                .post(sessionsPath(tenant) + "/" + session + "/messages").then().statusCode(201);

        try (EventTopic topic = new EventTopic()) {
            assertTrue(topic.forSession(session, 1, Duration.ofSeconds(3)).isEmpty(), "nothing published");
        }
        assertEquals(2, outboxRows(tenant + ":" + session), "SessionCreated and MessageCreated wait in the outbox");
        given().get("/q/health/live").then().statusCode(200);
    }

    private long outboxRows(String recordKey) throws SQLException {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement count = connection.prepareStatement(
                        "select count(*) from outbox where record_key = ?")) {
            count.setString(1, recordKey);
            try (ResultSet rows = count.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
        }
    }
}
