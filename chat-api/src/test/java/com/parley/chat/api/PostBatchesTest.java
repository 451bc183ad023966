package com.parley.chat.api;

import static com.parley.chat.api.Api.as;
import static com.parley.chat.api.Api.newSession;
import static com.parley.chat.api.Api.sessionsPath;
import static com.parley.chat.api.Api.token;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.LongStream;

import javax.sql.DataSource;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import com.parley.chat.api.domain.Message;
import com.parley.chat.api.domain.MessageRows;
import com.parley.chat.api.domain.Role;
import com.parley.chat.api.messaging.MessageCreated;
import com.parley.chat.api.service.EventRecorder;
import com.parley.chat.api.service.PostBatches;
import com.parley.infra.ChatInfraResource;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/**
 * Posts of different sessions that arrive together share one statement and one commit: each is
 * written at its own seq, found as an earlier post of its key, or left alone when its session moved
 * on, as if it had been written by itself.
 */
@QuarkusTest
@WithTestResource(ChatInfraResource.class)
class PostBatchesTest {

    private final String tenant = "t-" + UUID.randomUUID();

    @Inject
    DataSource dataSource;

    @Inject
    EventRecorder events;

    @Inject
    PostBatches batches;

    @Test
    void oneStatementWritesEachPostOrSaysWhyNot() throws Exception {
        UUID open = UUID.fromString(newSession(tenant, "ann"));
        UUID retried = UUID.fromString(newSession(tenant, "ben"));
        UUID closed = UUID.fromString(newSession(tenant, "cai"));
        UUID behind = UUID.fromString(newSession(tenant, "dan"));
        String ben = token(tenant, "ben", "user");
        Response first = as(ben).body(Map.of("content", "first", "client_message_id", "k-1"))
                .post(sessionsPath(tenant) + "/" + retried + "/messages");
        assertEquals(201, first.statusCode(), first.asString());
        as(token(tenant, "sue", "supporter")).body(Map.of("status", "closed"))
                .patch(sessionsPath(tenant) + "/" + closed).then().statusCode(200);

        List<MessageRows.Inserted> results;
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(true);
            results = MessageRows.insertAll(connection, List.of(
                    newMessage(open, "ann", 2, "hello", null),
                    newMessage(retried, "ben", 3, "first again", "k-1"),
                    newMessage(closed, "cai", lastSeq(closed) + 1, "too late", null),
                    newMessage(behind, "dan", 5, "not the next seq", null)));
        }

        assertEquals(new MessageRows.Inserted(true, null), results.get(0));
        assertFalse(results.get(1).written());
        assertEquals(first.jsonPath().getString("id"), results.get(1).earlier().messageId().toString());
        assertEquals("ben", results.get(1).earlier().senderUserId());
        assertEquals(new MessageRows.Inserted(false, null), results.get(2));
        assertEquals(new MessageRows.Inserted(false, null), results.get(3));

        assertEquals(List.of("hello"), contents(open, "ann"));
        // every column in its place: the sender's name as the message and as its event in history
        assertEquals(List.of("Name of ann"), as(token(tenant, "ann", "user"))
                .get(sessionsPath(tenant) + "/" + open + "/messages").jsonPath().getList("items.sender_name"));
        assertEquals("Name of ann", as(token(tenant, "ann", "user"))
                .get(sessionsPath(tenant) + "/" + open + "/events").jsonPath().getString("events[1].sender_name"));
        assertEquals(List.of("first"), contents(retried, "ben"));
        assertEquals(List.of(), contents(closed, "cai"));
        assertEquals(List.of(), contents(behind, "dan"));
        assertEquals(List.of(1L, 2L), eventSeqs(open, "ann"));
        assertEquals(List.of(1L), eventSeqs(behind, "dan"));
        assertEquals(1, lastSeq(behind));
    }

    @Test
    void aStatementTheDatabaseRefusesWritesNothingAndSaysSo() throws Exception {
        UUID session = UUID.fromString(newSession(tenant, "eve"));
        Response posted = as(token(tenant, "eve", "user")).body(Map.of("content", "kept"))
                .post(sessionsPath(tenant) + "/" + session + "/messages");
        assertEquals(201, posted.statusCode(), posted.asString());
        // the same message id again: the primary key refuses the statement, and nothing of it stays
        MessageRows.NewMessage clash = newMessage(session, "eve", 3, "clash", null,
                UUID.fromString(posted.jsonPath().getString("id")));

        assertNull(batches.write(clash));

        assertEquals(List.of("kept"), contents(session, "eve"));
        assertEquals(List.of(1L, 2L), eventSeqs(session, "eve"));
        assertEquals(2, lastSeq(session));
    }

    @Test
    void manySessionsPostingAtOnceKeepEachSessionsOrderAndShareStatements() throws Exception {
        int sessions = 24;
        int postsEach = 12;
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < sessions; i++) {
            ids.add(newSession(tenant, "u" + i));
        }
        double[] before = batchSizes();
        List<Callable<List<Long>>> posters = new ArrayList<>();
        for (int i = 0; i < sessions; i++) {
            String user = "u" + i;
            String path = sessionsPath(tenant) + "/" + ids.get(i) + "/messages";
            posters.add(() -> {
                String bearer = token(tenant, user, "user");
                List<Long> seqs = new ArrayList<>();
                for (int n = 0; n < postsEach; n++) {
                    Response r = as(bearer).body(Map.of("content", user + " #" + n)).post(path);
                    assertEquals(201, r.statusCode(), r.asString());
                    seqs.add(r.jsonPath().getLong("seq"));
                }
                return seqs;
            });
        }
        ExecutorService pool = Executors.newFixedThreadPool(sessions);
        List<List<Long>> answered = new ArrayList<>();
        try {
            for (Future<List<Long>> f : pool.invokeAll(posters)) {
                answered.add(f.get());
            }
        } finally {
            pool.shutdown();
        }
        double[] after = batchSizes();

        List<Long> expected = LongStream.rangeClosed(2, postsEach + 1).boxed().toList();
        for (int i = 0; i < sessions; i++) {
            String user = "u" + i;
            UUID session = UUID.fromString(ids.get(i));
            assertEquals(expected, answered.get(i), "seqs answered to " + user);
            List<String> contents = contents(session, user);
            assertEquals(postsEach, contents.size());
            for (int n = 0; n < postsEach; n++) {
                assertEquals(user + " #" + n, contents.get(n));
            }
            assertEquals(LongStream.rangeClosed(1, postsEach + 1).boxed().toList(), eventSeqs(session, user));
        }
        // and each session's events reach Kafka once each, in seq order
        try (EventTopic topic = new EventTopic()) {
            List<EventTopic.Event> created = topic.read(e -> tenant.equals(e.value().path("tenant_id").asText())
                    && "MessageCreated".equals(e.type()), sessions * postsEach, Duration.ofSeconds(30));
            for (String id : ids) {
                assertEquals(expected, created.stream().filter(e -> id.equals(e.value().path("session_id").asText()))
                        .map(EventTopic.Event::seq).toList(), "events of session " + id);
            }
        }
        double statements = after[0] - before[0];
        double batchedPosts = after[1] - before[1];
        // every post after a session's first takes the shared path; together, some shared a statement
        assertEquals(sessions * (postsEach - 1), batchedPosts, 0.0);
        assertTrue(statements < batchedPosts, statements + " statements for " + batchedPosts + " posts");
    }

    @Test
    void aSessionRowLockedElsewhereHoldsUpOnlyItsOwnPost() throws Exception {
        UUID locked = UUID.fromString(newSession(tenant, "fay"));
        UUID free = UUID.fromString(newSession(tenant, "gus"));
        String fay = token(tenant, "fay", "user");
        String gus = token(tenant, "gus", "user");
        String lockedPath = sessionsPath(tenant) + "/" + locked + "/messages";
        String freePath = sessionsPath(tenant) + "/" + free + "/messages";
        // one post each first: the next ones are written together
        as(fay).body(Map.of("content", "one")).post(lockedPath).then().statusCode(201);
        as(gus).body(Map.of("content", "one")).post(freePath).then().statusCode(201);

        ExecutorService pool = Executors.newSingleThreadExecutor();
        try (Connection other = dataSource.getConnection()) {
            // another instance's transaction holds fay's session row
            other.setAutoCommit(false);
            try (PreparedStatement lock = other.prepareStatement("select 1 from sessions where id = ? for update")) {
                lock.setObject(1, locked);
                lock.executeQuery().close();
            }
            Future<Response> waiting = pool.submit(() -> as(fay).body(Map.of("content", "two")).post(lockedPath));
            Thread.sleep(300); // fay's post is at the database, waiting for the row

            long started = System.nanoTime();
            Response other1 = as(gus).body(Map.of("content", "two")).post(freePath);
            Response other2 = as(gus).body(Map.of("content", "three")).post(freePath);
            long tookMs = Duration.ofNanos(System.nanoTime() - started).toMillis();

            assertEquals(201, other1.statusCode(), other1.asString());
            assertEquals(201, other2.statusCode(), other2.asString());
            assertTrue(tookMs < 2_000, "another session's posts waited " + tookMs + " ms for fay's row");
            assertFalse(waiting.isDone(), "fay's post did not wait for her session's row");
            other.commit();
            Response fays = waiting.get(10, java.util.concurrent.TimeUnit.SECONDS);
            assertEquals(201, fays.statusCode(), fays.asString());
            assertEquals(3, fays.jsonPath().getLong("seq"));
        } finally {
            pool.shutdownNow();
        }
        assertEquals(List.of("one", "two"), contents(locked, "fay"));
        assertEquals(List.of("one", "two", "three"), contents(free, "gus"));
    }

    private MessageRows.NewMessage newMessage(UUID session, String user, long seq, String content, String clientId) {
        return newMessage(session, user, seq, content, clientId, UUID.randomUUID());
    }

    private MessageRows.NewMessage newMessage(UUID session, String user, long seq, String content, String clientId,
            UUID messageId) {
        Instant now = Instant.now();
        Message message = new Message();
        message.id = messageId;
        message.tenantId = tenant;
        message.sessionId = session;
        message.seq = seq;
        message.role = Role.USER;
        message.content = content;
        message.senderUserId = user;
        message.senderName = "Name of " + user;
        message.clientMessageId = clientId;
        message.createdAt = now;
        MessageCreated event = new MessageCreated(UUID.randomUUID(), tenant, session, seq, now, message.id, "user",
                content, user, message.senderName, now, clientId, null);
        return events.newMessage(message, content, event);
    }

    private List<String> contents(UUID session, String user) {
        return as(token(tenant, user, "user")).queryParam("limit", 100)
                .get(sessionsPath(tenant) + "/" + session + "/messages").jsonPath().getList("items.content", String.class);
    }

    private List<Long> eventSeqs(UUID session, String user) {
        return as(token(tenant, user, "user")).queryParam("limit", 500)
                .get(sessionsPath(tenant) + "/" + session + "/events").jsonPath().getList("events.seq", Long.class);
    }

    private long lastSeq(UUID session) throws SQLException {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement query = connection.prepareStatement("select last_seq from sessions where id = ?")) {
            query.setObject(1, session);
            try (ResultSet row = query.executeQuery()) {
                row.next();
                return row.getLong(1);
            }
        }
    }

    /** The statements of shared posts so far and the posts they carried, from /q/metrics. */
    private static double[] batchSizes() {
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        return new double[] { metric(metrics, "parley_posts_batch_size_count"),
                metric(metrics, "parley_posts_batch_size_sum") };
    }

    private static double metric(String metrics, String name) {
        Matcher m = Pattern.compile("(?m)^" + name + "(?:\\{[^}]*})? ([0-9.eE+-]+)$").matcher(metrics);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }
}
