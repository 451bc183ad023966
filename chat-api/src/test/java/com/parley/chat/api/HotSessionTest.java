package com.parley.chat.api;

import static com.parley.chat.api.Api.as;
import static com.parley.chat.api.Api.newSession;
import static com.parley.chat.api.Api.sessionsPath;
import static com.parley.chat.api.Api.token;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;

import com.parley.infra.ChatInfra;
import com.parley.infra.ChatInfraResource;
import com.parley.infra.PostgresServer;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/**
 * One session that takes more writes than it can store must not starve every other tenant of
 * database connections (an outside review saw other tenants time out while 40 posts to one
 * session each held a pool connection, waiting for that session's row lock).
 */
@QuarkusTest
@WithTestResource(ChatInfraResource.class)
class HotSessionTest {

    @Test
    void writersWaitingForOneSessionLeaveThePoolToEveryoneElse() throws Exception {
        String hotTenant = "t-" + UUID.randomUUID();
        String hot = newSession(hotTenant, "alice");
        String quietTenant = "t-" + UUID.randomUUID();
        String quiet = newSession(quietTenant, "carol");
        String carol = token(quietTenant, "carol", "user");
        ExecutorService pool = Executors.newFixedThreadPool(48);
        // a long write on the hot session (another instance's, or a slow disk): its row lock is taken
        try (Connection db = DriverManager.getConnection(ChatInfra.get().postgres().jdbcUrl(), PostgresServer.USER,
                PostgresServer.PASSWORD)) {
            db.setAutoCommit(false);
            try (PreparedStatement lock = db.prepareStatement("select id from sessions where id = ? for update")) {
                lock.setObject(1, UUID.fromString(hot));
                lock.executeQuery().close();
            }
            List<Future<Response>> hotPosts = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                String writer = token(hotTenant, i % 2 == 0 ? "alice" : "sam-" + i, i % 2 == 0 ? "user" : "supporter");
                String clientId = "hot-" + i;
                hotPosts.add(pool.submit(() -> as(writer).body(Map.of("content", "busy", "client_message_id", clientId))
                        .post(sessionsPath(hotTenant) + "/" + hot + "/messages")));
            }
            Thread.sleep(1000); // every hot writer is waiting by now
            for (int i = 0; i < 5; i++) {
                Response other = as(carol).body(Map.of("content", "elsewhere " + i))
                        .post(sessionsPath(quietTenant) + "/" + quiet + "/messages");
                assertEquals(201, other.statusCode(), "another tenant's post while one session is hot: "
                        + other.asString());
            }
            db.rollback();
            int stored = 0;
            for (Future<Response> f : hotPosts) {
                Response r = f.get();
                assertTrue(Set.of(201, 503).contains(r.statusCode()), "a hot session's writer gets 201 or 503: "
                        + r.statusCode() + " " + r.asString());
                if (r.statusCode() == 503) {
                    assertEquals("application/problem+json", r.contentType());
                    assertEquals("1", r.header("Retry-After"));
                } else {
                    stored++;
                }
            }
            assertTrue(stored > 0, "the hot session's writers go on once the lock is free");
        } finally {
            pool.shutdownNow();
        }
    }
}
