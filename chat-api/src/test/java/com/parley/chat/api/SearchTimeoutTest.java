package com.parley.chat.api;

import static com.parley.chat.api.Api.as;
import static com.parley.chat.api.Api.newClientMessageId;
import static com.parley.chat.api.Api.newSession;
import static com.parley.chat.api.Api.sessionsPath;
import static com.parley.chat.api.Api.token;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
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
 * A search on a tenant with more messages than it can read within its timeout is stopped and
 * answered 503 search-too-slow, and the writers go on (it held no connection past the timeout).
 */
@QuarkusTest
@TestProfile(SearchTimeoutTest.ShortSearches.class)
@WithTestResource(ChatInfraResource.class)
class SearchTimeoutTest {

    public static class ShortSearches implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("parley.chat-api.paging.search-timeout", "20ms");
        }
    }

    @Inject
    DataSource dataSource;

    @Test
    void aSearchThatReadsTooLongIsStoppedWithAClearAnswer() throws SQLException {
        String tenant = "t-" + UUID.randomUUID();
        String session = newSession(tenant, "alice");
        manyMessages(tenant, session, 300_000); // a large tenant: reading them takes far longer than 20 ms
        String sam = token(tenant, "sam", "supporter");

        as(sam).queryParam("q", "needle").get(sessionsPath(tenant)).then().statusCode(503)
                .body("type", equalTo("https://parley.chat/problems/search-too-slow"))
                .body("detail", containsString("longer than 20 ms"));
        // one customer's search reads only their chats' messages: quick on the same tenant
        String bobs = newSession(tenant, "bob");
        as(token(tenant, "bob", "user")).body(Map.of("content", "a needle in the haystack", "client_message_id",
                newClientMessageId())).post(sessionsPath(tenant) + "/" + bobs + "/messages").then().statusCode(201);
        as(token(tenant, "bob", "user")).queryParam("q", "needle").get(sessionsPath(tenant)).then().statusCode(200)
                .body("items.id", equalTo(List.of(bobs)));
        as(sam).queryParam("q", "needle").queryParam("customer_user_id", "bob").get(sessionsPath(tenant)).then()
                .statusCode(200).body("items.id", equalTo(List.of(bobs)));
        // the list without a search and the writers are not held up by it
        as(sam).get(sessionsPath(tenant)).then().statusCode(200).body("items.id", hasItem(session));
        as(token(tenant, "alice", "user")).body(Map.of("content", "still here", "client_message_id",
                newClientMessageId())).post(sessionsPath(tenant) + "/" + session + "/messages").then().statusCode(201);
    }

    private void manyMessages(String tenant, String session, int count) throws SQLException {
        try (Connection db = dataSource.getConnection(); PreparedStatement insert = db.prepareStatement("""
                insert into messages (id, tenant_id, session_id, seq, role, content, sender_user_id, created_at)
                select gen_random_uuid(), ?, ?::uuid, 1000 + g, 'user',
                       'my order ' || g || ' has not arrived, the tracking page says nothing at all', 'alice', now()
                from generate_series(1, ?) g""")) {
            insert.setString(1, tenant);
            insert.setString(2, session);
            insert.setInt(3, count);
            insert.executeUpdate();
        }
    }
}
