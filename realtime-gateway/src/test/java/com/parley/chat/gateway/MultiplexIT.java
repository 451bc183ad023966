package com.parley.chat.gateway;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import com.fasterxml.jackson.databind.JsonNode;
import com.parley.infra.ServiceProcess;

import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;

/**
 * One connection, many subscriptions, on the real system (PostgreSQL, Kafka, chat-api, two
 * gateways): channels, admission by chat-api's subscription token, the per-user limit, refusal
 * codes, and SSE clients that leave while they are being admitted.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MultiplexIT {

    /** chat-api releases the chats of an operator no gateway announced for this long (5 minutes by default). */
    private static final Duration RELEASE_WHEN_OFFLINE = Duration.ofSeconds(10);
    private static Cluster cluster;
    private static OtlpCollector collector;
    private final String tenant = "t-" + UUID.randomUUID();
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws IOException {
        collector = new OtlpCollector();
        cluster = new Cluster(Map.of("parley.gateway.limits.connections-per-user", "3"),
                builder -> builder.legacy(com.parley.infra.FreePorts.next()).tracing(collector.endpoint())
                        .chatApiConfig(Map.of("parley.chat-api.claims.release-when-offline",
                                RELEASE_WHEN_OFFLINE.toSeconds() + "S", "parley.chat-api.claims.check-every", "1S")));
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.stop();
        }
        if (collector != null) {
            collector.close();
        }
    }

    /** A session of {@code customer}: its id and the customer's subscription token. */
    private JsonPath newSession(String customer) {
        return given().auth().oauth2(cluster.token(tenant, customer, "user")).contentType(ContentType.JSON)
                .body("{}").post(cluster.chatApi.baseUrl() + "/api/tenants/" + tenant + "/sessions")
                .then().statusCode(201).extract().jsonPath();
    }

    private void post(String session, String user, String role, String content) {
        given().auth().oauth2(cluster.token(tenant, user, role)).contentType(ContentType.JSON)
                .body(Map.of("content", content))
                .post(cluster.chatApi.baseUrl() + "/api/tenants/" + tenant + "/sessions/" + session + "/messages")
                .then().statusCode(201);
    }

    private WsClient connect(ServiceProcess gateway, String user, String role) {
        WsClient client = WsClient.connect(Cluster.ws(gateway, "/ws/" + tenant), cluster.token(tenant, user, role));
        client.awaitType("connected");
        return client;
    }

    private static void subscribe(WsClient client, String channel, long lastSeq, String token) {
        Map<String, Object> frame = new java.util.HashMap<>(Map.of("type", "subscribe", "channel", channel,
                "last_seq", lastSeq));
        if (token != null) {
            frame.put("token", token);
        }
        client.sendJson(frame);
    }

    private static Predicate<JsonNode> frame(String type, String channel) {
        return f -> type.equals(f.path("type").asText()) && channel.equals(f.path("channel").asText());
    }

    /**
     * A counter of the gateway's Prometheus page, summed over the series whose labels contain
     * {@code labels}. A sample may end with an exemplar ({@code # {trace_id=...} 1.0 <time>}) once
     * the counter moved inside a traced request.
     */
    private double metric(ServiceProcess gateway, String name, String labels) throws IOException, InterruptedException {
        HttpResponse<String> scraped = http.send(HttpRequest.newBuilder(URI.create(gateway.baseUrl() + "/q/metrics"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, scraped.statusCode(), "the metrics page of " + gateway.name() + ": " + scraped.body());
        String page = scraped.body();
        double sum = 0;
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "\\{([^}]*)\\} (\\S+)(?: # .*)?$").matcher(page);
        while (m.find()) {
            if (m.group(1).contains(labels)) {
                sum += Double.parseDouble(m.group(2));
            }
        }
        return sum;
    }

    @Test
    void staffFollowTwoSessionsAndTheDashboardOnOneSocketAndStopWhenTheyUnsubscribe() {
        String first = newSession("alice").getString("id");
        String second = newSession("bob").getString("id");
        try (WsClient staff = connect(cluster.gateway1, "sam", "supporter")) {
            subscribe(staff, "session:" + first, 1, null);
            subscribe(staff, "session:" + second, 1, null);
            subscribe(staff, "dashboard", 0, null);
            staff.await(frame("subscribed", "session:" + first), Duration.ofSeconds(10));
            staff.await(frame("subscribed", "session:" + second), Duration.ofSeconds(10));
            staff.await(frame("subscribed", "dashboard"), Duration.ofSeconds(10));

            post(first, "alice", "user", "hello from alice");
            List<JsonNode> frames = staff.collect(f -> f.has("seq") && "message_created".equals(f.path("type")
                    .asText()), 2, Duration.ofSeconds(10));
            assertEquals(List.of("session:" + first, "dashboard"), frames.stream()
                    .map(f -> f.path("channel").asText()).sorted((a, b) -> a.startsWith("session") ? -1 : 1).toList());
            frames.forEach(f -> assertEquals(2, f.path("seq").asLong()));

            staff.sendJson(Map.of("type", "unsubscribe", "channel", "session:" + second));
            staff.await(frame("unsubscribed", "session:" + second), Duration.ofSeconds(10));
            post(second, "bob", "user", "only the dashboard hears this");
            List<JsonNode> after = staff.collect(f -> f.has("seq") && "message_created".equals(f.path("type")
                    .asText()), 1, Duration.ofSeconds(10));
            assertEquals(List.of("dashboard"), after.stream().map(f -> f.path("channel").asText()).toList(),
                    "nothing more on the channel it left");

            staff.sendJson(Map.of("type", "message", "channel", "session:" + first, "content", "hi alice",
                    "client_message_id", "m-1"));
            JsonNode ack = staff.awaitType("message_ack");
            assertEquals("session:" + first, ack.path("channel").asText());
            assertEquals(3, ack.path("seq").asLong());
        }
    }

    @Test
    void staffFollowAHundredChatsAndSubscribeToAllOfThemAgainAtOnceAfterAReconnect() {
        List<String> sessions = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            sessions.add(newSession("customer-" + i).getString("id"));
        }
        for (int round = 0; round < 2; round++) { // the first connection, then the one after a reconnect
            try (WsClient sam = WsClient.connect(Cluster.ws(round == 0 ? cluster.gateway1 : cluster.gateway2,
                    "/ws/" + tenant), cluster.token(tenant, "sam", "supporter"))) {
                JsonNode limits = sam.awaitType("connected").path("limits");
                assertEquals(100, limits.path("subscriptions").asInt(), "the connected frame says what it may hold");
                assertTrue(limits.path("inbound_burst").asInt() >= 100, "and that a full resubscription fits: " + limits);
                assertEquals(16384, limits.path("max_frame_bytes").asInt(), "the largest frame it takes");
                assertEquals(500, limits.path("dashboard_sessions").asInt(), "sessions a dashboard may name");
                // a client that comes back subscribes to everything it followed, all at once
                sessions.forEach(session -> subscribe(sam, "session:" + session, 1, null));
                List<JsonNode> answers = sam.collect(f -> f.path("type").asText().matches("subscribed|error"), 100,
                        Duration.ofSeconds(30));
                assertEquals(List.of(), answers.stream().filter(f -> f.path("type").asText().equals("error")).toList(),
                        "no subscription refused for the rate");
                assertEquals(100, answers.size());
            }
        }
    }

    @Test
    void theFirstClaimWinsEveryoneSeesWhoHoldsTheChatAndReadStateIsStored() {
        JsonPath created = newSession("alice");
        String session = created.getString("id");
        String channel = "session:" + session;
        try (WsClient sam = connect(cluster.gateway1, "sam", "supporter");
                WsClient bob = connect(cluster.gateway2, "bob", "supporter");
                WsClient alice = connect(cluster.gateway2, "alice", "user")) {
            subscribe(sam, channel, 1, null);
            subscribe(sam, "dashboard", 0, null);
            subscribe(bob, channel, 1, null);
            subscribe(alice, channel, 1, created.getString("subscription_token"));
            // (await drops the frames before the one it waits for: sam's two subscriptions answer in any order)
            assertEquals(2, sam.collect(f -> "subscribed".equals(f.path("type").asText()), 2, Duration.ofSeconds(10))
                    .size());
            for (WsClient client : List.of(bob, alice)) {
                client.await(frame("subscribed", channel), Duration.ofSeconds(10));
            }
            sam.sendJson(Map.of("type", "claim", "channel", channel));
            List<JsonNode> samSees = sam.collect(f -> "session_claimed".equals(f.path("type").asText()), 2,
                    Duration.ofSeconds(10));
            assertEquals(java.util.Set.of(channel, "dashboard"), samSees.stream().map(f -> f.path("channel").asText())
                    .collect(java.util.stream.Collectors.toSet()), "on the session and on the dashboard");
            for (JsonNode claimed : List.of(samSees.get(0), samSees.get(1),
                    bob.await(frame("session_claimed", channel), Duration.ofSeconds(10)),
                    alice.await(frame("session_claimed", channel), Duration.ofSeconds(10)))) {
                assertEquals("sam", claimed.path("claimed_by").asText(), "the customer sees the operator join too");
                assertEquals(2, claimed.path("seq").asLong());
            }
            bob.sendJson(Map.of("type", "claim", "channel", channel));
            JsonNode refused = bob.await(frame("error", channel), Duration.ofSeconds(10));
            assertEquals("session_claimed", refused.path("code").asText());
            assertEquals("sam", refused.path("claimed_by").asText());
            alice.sendJson(Map.of("type", "claim", "channel", channel));
            assertEquals("forbidden", alice.await(frame("error", channel), Duration.ofSeconds(10)).path("code")
                    .asText(), "a customer claims nothing");

            post(session, "sam", "supporter", "hello alice");
            alice.await(f -> "message_created".equals(f.path("type").asText()), Duration.ofSeconds(10));
            String aliceToken = cluster.token(tenant, "alice", "user");
            assertEquals(1, given().auth().oauth2(aliceToken).get(cluster.chatApi.baseUrl() + "/api/tenants/" + tenant
                    + "/sessions/" + session).then().extract().jsonPath().getInt("unread_count"));
            alice.sendJson(Map.of("type", "read", "channel", channel, "up_to_seq", 3));
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            int unread = 1;
            while (unread != 0 && System.nanoTime() < deadline) {
                unread = given().auth().oauth2(aliceToken).get(cluster.chatApi.baseUrl() + "/api/tenants/" + tenant
                        + "/sessions/" + session).then().extract().jsonPath().getInt("unread_count");
            }
            assertEquals(0, unread, "the read frame is stored: the badge stays cleared after a reload");
            assertEquals("read_receipt", sam.await(f -> "read_receipt".equals(f.path("type").asText()),
                    Duration.ofSeconds(10)).path("type").asText(), "and still a receipt for the others");
        }
    }

    @Test
    void anAdminsNoticeReachesEveryConnectionOfTheTenantOnBothInstancesAndNoOtherTenant() {
        String session = newSession("alice").getString("id");
        String otherTenant = "t-" + java.util.UUID.randomUUID();
        try (WsClient sam = connect(cluster.gateway1, "sam", "supporter");
                WsClient alice = WsClient.connect(Cluster.ws(cluster.gateway2, "/ws/" + tenant + "/session/" + session),
                        cluster.token(tenant, "alice", "user"));
                WsClient stranger = WsClient.connect(Cluster.ws(cluster.gateway1, "/ws/" + otherTenant),
                        cluster.token(otherTenant, "eve", "user"))) {
            alice.awaitType("connected");
            stranger.awaitType("connected");
            long posted = System.nanoTime();
            given().auth().oauth2(cluster.token(tenant, "ann", "admin")).contentType(ContentType.JSON)
                    .body(Map.of("message", "Maintenance at 22:00 UTC", "severity", "warning"))
                    .post(cluster.chatApi.baseUrl() + "/api/tenants/" + tenant + "/notices").then().statusCode(202);
            for (WsClient client : List.of(sam, alice)) {
                JsonNode notice = client.await(f -> "system_notice".equals(f.path("type").asText()),
                        Duration.ofSeconds(10));
                assertEquals("Maintenance at 22:00 UTC", notice.path("message").asText());
                assertEquals("warning", notice.path("severity").asText());
            }
            System.out.printf("system_notice on both instances %d ms after the POST%n",
                    Duration.ofNanos(System.nanoTime() - posted).toMillis());
            stranger.sendJson(Map.of("type", "ping"));
            stranger.awaitType("pong");
            assertTrue(stranger.frames.stream().noneMatch(f -> "system_notice".equals(f.path("type").asText())),
                    "another tenant hears nothing");
        }
    }

    @Test
    void aNoteOnASessionReachesTheTenantsStaffOnBothInstancesAndNeverTheCustomer() {
        String session = newSession("alice").getString("id");
        try (WsClient sam = connect(cluster.gateway1, "sam", "supporter");
                WsClient bob = WsClient.connect(Cluster.ws(cluster.gateway2, "/ws/" + tenant + "/dashboard"),
                        cluster.token(tenant, "bob", "supporter"));
                WsClient alice = WsClient.connect(Cluster.ws(cluster.gateway2, "/ws/" + tenant + "/session/" + session),
                        cluster.token(tenant, "alice", "user"))) {
            bob.awaitType("connected");
            alice.awaitType("connected");
            given().auth().oauth2(cluster.token(tenant, "sam", "supporter")).contentType(ContentType.JSON)
                    .body(Map.of("content", "Wants a refund of order 42; be gentle"))
                    .post(cluster.chatApi.baseUrl() + "/api/tenants/" + tenant + "/sessions/" + session + "/notes")
                    .then().statusCode(201);
            String noteId = null;
            for (WsClient staff : List.of(sam, bob)) {
                JsonNode note = staff.await(f -> "note_added".equals(f.path("type").asText()), Duration.ofSeconds(10));
                noteId = note.path("note_id").asText();
                assertEquals(session, note.path("session_id").asText());
                assertEquals("Wants a refund of order 42; be gentle", note.path("content").asText());
                assertEquals("sam", note.path("author_user_id").asText());
                assertEquals("supporter", note.path("author_role").asText());
            }
            // a notice after it, on the same partition of the tenant's topic: when alice has the
            // notice, she would have had the note before it
            given().auth().oauth2(cluster.token(tenant, "ann", "admin")).contentType(ContentType.JSON)
                    .body(Map.of("message", "after the note")).post(cluster.chatApi.baseUrl() + "/api/tenants/"
                            + tenant + "/notices").then().statusCode(202);
            alice.await(f -> "system_notice".equals(f.path("type").asText()), Duration.ofSeconds(10));
            assertTrue(alice.frames.stream().noneMatch(f -> f.toString().contains("refund of order 42")),
                    "the customer gets nothing of the note: " + alice.frames);
            // sam takes it back: the staff's pages are told, on both instances
            given().auth().oauth2(cluster.token(tenant, "sam", "supporter"))
                    .delete(cluster.chatApi.baseUrl() + "/api/tenants/" + tenant + "/sessions/" + session + "/notes/"
                            + noteId).then().statusCode(204);
            for (WsClient staff : List.of(sam, bob)) {
                JsonNode deleted = staff.await(f -> "note_deleted".equals(f.path("type").asText()),
                        Duration.ofSeconds(10));
                assertEquals(noteId, deleted.path("note_id").asText());
                assertEquals(session, deleted.path("session_id").asText());
            }
        }
    }

    @Test
    void operatorsSeeEachOthersStatusAndWorkloadAcrossInstancesAndAKilledInstancesOperatorsGoOffline()
            throws Exception {
        List<String> sessions = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            sessions.add(newSession("customer-" + i).getString("id"));
        }
        String bobsToken = cluster.token(tenant, "bob", "supporter");
        String api = cluster.chatApi.baseUrl() + "/api/tenants/" + tenant + "/sessions/";
        // bob's instance is a third one, killed at the end: the others stay as the other tests know them
        ServiceProcess third = cluster.system.gateway(java.nio.file.Path.of("..").toAbsolutePath().normalize()
                .resolve("realtime-gateway/target/quarkus-app/quarkus-run.jar"), "gw-3", com.parley.infra.FreePorts.next())
                .start(Duration.ofSeconds(90));
        try (WsClient sam = connect(cluster.gateway1, "sam", "supporter")) {
            subscribe(sam, "operators", 0, null);
            sam.await(frame("subscribed", "operators"), Duration.ofSeconds(10));
            WsClient bob = connect(third, "bob", "supporter");
            awaitOperator(sam, "bob", "available", 0);
            bob.sendJson(Map.of("type", "status", "status", "away"));
            awaitOperator(sam, "bob", "away", 0);
            bob.sendJson(Map.of("type", "status", "status", "available"));
            awaitOperator(sam, "bob", "available", 0);
            for (String session : sessions) {
                given().auth().oauth2(bobsToken).post(api + session + "/claim").then().statusCode(200);
            }
            awaitOperator(sam, "bob", "busy", 5); // busy by itself at five open sessions
            given().auth().oauth2(bobsToken).delete(api + sessions.getFirst() + "/claim").then().statusCode(200);
            awaitOperator(sam, "bob", "available", 4);
            bob.sendJson(Map.of("type", "status", "status", "sleepy"));
            assertEquals("invalid_status", bob.awaitType("error").path("code").asText());

            long killed = System.nanoTime();
            third.kill(); // bob's instance dies without a word
            awaitOperator(sam, "bob", "offline", 4);
            System.out.printf("bob offline on the other instance %d ms after his instance was killed%n",
                    Duration.ofNanos(System.nanoTime() - killed).toMillis());
        } finally {
            third.kill();
        }
    }

    /** A connection of {@code user} on {@code gateway}, subscribed to {@code channel} from its start. */
    private WsClient following(ServiceProcess gateway, String user, String role, String channel) {
        WsClient client = connect(gateway, user, role);
        subscribe(client, channel, 0, null);
        client.await(frame("subscribed", channel), Duration.ofSeconds(10));
        return client;
    }

    /** sam claims the session from gateway 1 and its customer, on {@code customer}, sees him join. */
    private WsClient claimedBySam(String channel, WsClient customer) {
        WsClient sam = following(cluster.gateway1, "sam", "supporter", channel);
        sam.sendJson(Map.of("type", "claim", "channel", channel));
        assertEquals("sam", customer.await(frame("session_claimed", channel), Duration.ofSeconds(10))
                .path("claimed_by").asText());
        return sam;
    }

    /**
     * Waits for chat-api to release sam's chat (the customer sees it), no sooner than its
     * {@code release-when-offline} after {@code since} (nanoTime, when {@code what}); how long after.
     */
    private static Duration awaitReleasedByParley(WsClient customer, String channel, long since, String what) {
        JsonNode released = customer.await(f -> channel.equals(f.path("channel").asText())
                && "session_claimed".equals(f.path("type").asText()) && f.path("claimed_by").isNull(),
                RELEASE_WHEN_OFFLINE.plusSeconds(30));
        Duration after = Duration.ofNanos(System.nanoTime() - since);
        assertEquals("sam", released.path("previous").asText(), released.toString());
        assertEquals("parley", released.path("by").asText(), "chat-api released it: " + released);
        assertTrue(after.compareTo(RELEASE_WHEN_OFFLINE.minusSeconds(2)) >= 0,
                "released " + after + " after " + what + ", before his time was up");
        return after;
    }

    @Test
    void theChatOfAnOperatorWhoClosedTheirLastDashboardGoesBackToTheQueue() throws InterruptedException {
        String session = newSession("carol").getString("id");
        String channel = "session:" + session;
        try (WsClient carol = following(cluster.gateway2, "carol", "user", channel)) {
            try (WsClient sam = claimedBySam(channel, carol)) {
                Thread.sleep(2500); // a round of announcements: chat-api has heard of sam
            }
            long closed = System.nanoTime(); // sam went home
            Duration after = awaitReleasedByParley(carol, channel, closed, "sam left");
            given().auth().oauth2(cluster.token(tenant, "ann", "admin"))
                    .get(cluster.chatApi.baseUrl() + "/api/tenants/" + tenant + "/sessions/" + session).then()
                    .statusCode(200).body("claimed_by", nullValue());
            System.out.printf("sam's chat back in the queue %d ms after he closed his dashboard%n", after.toMillis());
        }
    }

    /**
     * A rolling restart of chat-api: an operator who closed their dashboard while it was down (or just
     * before it started) is not forgotten. The new chat-api waits for them as for one it heard
     * itself, and their chat goes back to the queue once its whole {@code release-when-offline} has
     * passed without them; before, it stayed theirs until they came back and left again.
     */
    @Test
    @Order(Integer.MAX_VALUE - 1) // restarts chat-api: after the others, before the test that kills a gateway
    void theChatOfAnOperatorWhoLeftWhileChatApiRestartedGoesBackToTheQueue() throws InterruptedException {
        String session = newSession("dora").getString("id");
        String channel = "session:" + session;
        try (WsClient dora = following(cluster.gateway2, "dora", "user", channel)) {
            try (WsClient sam = claimedBySam(channel, dora)) {
                // announced (every 2 s), read (chat-api fetches the signals every 5 s) and noted (a check
                // every second here) by chat-api
                Thread.sleep(12_000);
                cluster.chatApi.stop(); // SIGTERM: the rollout begins
            } // sam goes home meanwhile
            cluster.chatApi.start(Duration.ofSeconds(90));
            long started = System.nanoTime();
            Duration after = awaitReleasedByParley(dora, channel, started, "chat-api started");
            System.out.printf("sam's chat back in the queue %d ms after chat-api started again%n", after.toMillis());
        }
    }

    @Test
    void aCustomerIsToldWhetherSupportIsThereAsOperatorsComeGoAndChooseOnAnyInstance() {
        String session = newSession("carol").getString("id");
        String channel = "session:" + session;
        try (WsClient carol = following(cluster.gateway2, "carol", "user", channel)) {
            assertEquals("away", nextSupport(carol, channel), "nobody of support is online: leave a message");
            try (WsClient sam = connect(cluster.gateway1, "sam", "supporter")) { // his dashboard, on the other instance
                assertEquals("available", nextSupport(carol, channel));
                sam.sendJson(Map.of("type", "status", "status", "away"));
                assertEquals("away", nextSupport(carol, channel));
                sam.sendJson(Map.of("type", "status", "status", "busy"));
                assertEquals("busy", nextSupport(carol, channel));
                sam.sendJson(Map.of("type", "status", "status", "available"));
                assertEquals("available", nextSupport(carol, channel));
                subscribe(sam, channel, 0, null); // staff in the chat are not told: they are support
                sam.await(frame("subscribed", channel), Duration.ofSeconds(10));
                assertEquals(List.of(), sam.collect(frame("support_status", channel), 1, Duration.ofSeconds(1)));
            }
            assertEquals("away", nextSupport(carol, channel), "sam closed his dashboard");
        }
        try (WsClient again = connect(cluster.gateway1, "carol", "user")) { // a new connection is told at once
            subscribe(again, channel, 0, null);
            assertEquals("away", nextSupport(again, channel));
        }
    }

    private static String nextSupport(WsClient customer, String channel) {
        return customer.await(frame("support_status", channel), Duration.ofSeconds(20)).path("status").asText();
    }

    @Test
    void anAdminsLiveFiguresAreSummedOverBothInstances() {
        String waiting = newSession("carol").getString("id");
        String held = newSession("dave").getString("id");
        given().auth().oauth2(cluster.token(tenant, "bob", "supporter"))
                .post(cluster.chatApi.baseUrl() + "/api/tenants/" + tenant + "/sessions/" + held + "/claim").then()
                .statusCode(200);
        try (WsClient ann = connect(cluster.gateway1, "ann", "admin");
                WsClient carol = connect(cluster.gateway1, "carol", "user");
                WsClient bob = connect(cluster.gateway2, "bob", "supporter");
                WsClient dave = connect(cluster.gateway2, "dave", "user")) {
            subscribe(bob, "stats", 0, null);
            assertEquals("forbidden", bob.await(frame("error", "stats"), Duration.ofSeconds(10)).path("code").asText(),
                    "figures are for admins");
            for (int i = 0; i < 3; i++) {
                post(waiting, "carol", "user", "still waiting " + i);
            }
            subscribe(ann, "stats", 0, null);
            JsonNode stats = ann.await(f -> "tenant_stats".equals(f.path("type").asText())
                    && f.path("connections").asInt() == 4 && f.path("messages_last_minute").asInt() == 3,
                    Duration.ofSeconds(30));
            assertEquals("stats", stats.path("channel").asText());
            assertEquals(2, stats.path("open_sessions").asInt());
            assertEquals(1, stats.path("unclaimed_sessions").asInt());
            assertTrue(stats.path("oldest_unclaimed_wait_seconds").asLong() >= 0);
            assertEquals(2, stats.path("operators").path("available").asInt(), "ann and bob: " + stats);
            assertEquals(0, stats.path("ratings_last_day").path("good").asInt(), "nobody rated yet: " + stats);
            assertTrue(stats.path("ratings_last_day").has("bad"), stats.toString());
            System.out.println("tenant_stats: " + stats);
        }
    }

    private static void awaitOperator(WsClient watcher, String user, String status, int openSessions) {
        watcher.await(f -> "operator_status".equals(f.path("type").asText()) && user.equals(f.path("user_id").asText())
                && status.equals(f.path("status").asText()) && f.path("open_sessions").asInt() == openSessions,
                Duration.ofSeconds(20));
    }

    @Test
    void anIdentityProvidersLargeTokenInTheQueryOpensTheStreamAndTheSocket() throws Exception {
        // an identity provider that lists every role of a user (as Keycloak and Entra ID can) makes a
        // token of several kilobytes; EventSource can only carry it in the query, and the stream of
        // several sessions carries a subscription token for each of them there too
        List<String> roles = java.util.stream.IntStream.range(0, 160)
                .mapToObj(i -> "app-role-" + i + "-of-the-realm").toList();
        String hana = cluster.infra.tokens().issue(tenant, "hana", "user", Duration.ofHours(1), roles);
        assertTrue(hana.length() > 6000, "a large token: " + hana.length());
        List<JsonPath> sessions = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            sessions.add(given().contentType(ContentType.JSON).header("Authorization", "Bearer " + hana).body("{}")
                    .post(cluster.chatApi.baseUrl() + "/api/tenants/" + tenant + "/sessions").then().statusCode(201)
                    .extract().jsonPath());
        }
        String first = sessions.getFirst().getString("id");

        try (SseStream stream = new SseStream(cluster.gateway1.baseUrl() + "/sse/" + tenant + "/session/" + first
                + "?token=" + hana, Map.of())) {
            assertEquals(200, stream.status, "one session's stream");
            stream.collect(e -> "connected".equals(e.data().path("type").asText()), 1, Duration.ofSeconds(15));
        }
        String channels = sessions.stream().map(s -> "session:" + s.getString("id"))
                .collect(java.util.stream.Collectors.joining(","));
        String tokens = sessions.stream().map(s -> s.getString("subscription_token"))
                .collect(java.util.stream.Collectors.joining(","));
        try (SseStream stream = new SseStream(cluster.gateway2.baseUrl() + "/sse/" + tenant + "?channels=" + channels
                + "&tokens=" + tokens + "&token=" + hana, Map.of())) {
            assertEquals(200, stream.status, "twelve sessions' stream, each with its subscription token");
            assertEquals(12, stream.collect(e -> "subscribed".equals(e.data().path("type").asText()), 12,
                    Duration.ofSeconds(15)).size());
        }
        try (WsClient socket = WsClient.connect(Cluster.ws(cluster.gateway1, "/ws/" + tenant + "?token=" + hana),
                Map.of())) {
            assertEquals("hana", socket.awaitType("connected").path("user_id").asText());
        }
    }

    /** Two sessions of one customer, the customer's bearer header, and the query of one stream of both. */
    private record TwoSessions(String a, String b, Map<String, String> auth, String query) {

        /** The headers of a stream that comes back with {@code lastEventId}. */
        Map<String, String> resumingAt(String lastEventId) {
            Map<String, String> headers = new java.util.HashMap<>(auth);
            headers.put("Last-Event-ID", lastEventId);
            return headers;
        }
    }

    private TwoSessions twoSessionsOf(String customer) {
        JsonPath first = newSession(customer);
        JsonPath second = newSession(customer);
        String a = first.getString("id");
        String b = second.getString("id");
        return new TwoSessions(a, b, Map.of("Authorization", "Bearer " + cluster.token(tenant, customer, "user")),
                "?channels=session:" + a + ",session:" + b + "&tokens=" + first.getString("subscription_token") + ","
                        + second.getString("subscription_token"));
    }

    /**
     * A stream told to resync a channel (here: the client is ahead of a session whose database was
     * restored to an earlier point) carries the channel's new position in that event's {@code id:},
     * as it does for an event: the EventSource that comes back names it and is not sent to resync
     * again. Before, the resync had no id, and every reconnect until the channel's next event
     * resynced it once more.
     */
    @Test
    void anEventStreamToldToResyncAChannelGivesItsNewPositionInTheId() throws Exception {
        TwoSessions two = twoSessionsOf("hugo");
        post(two.a(), "hugo", "user", "before the restore");
        Predicate<SseStream.Event> resync = e -> "resync_required".equals(e.data().path("type").asText());
        String moved;
        // the client holds events of a after 2 that no longer exist
        try (SseStream stream = new SseStream(cluster.gateway1.baseUrl() + "/sse/" + tenant + two.query(),
                two.resumingAt(two.a() + ":99," + two.b() + ":1"))) {
            assertEquals(200, stream.status);
            SseStream.Event told = stream.collect(resync, 1, Duration.ofSeconds(15)).getFirst();
            assertEquals(2, told.data().path("last_seq").asLong(), told.data().toString());
            moved = told.id();
            assertEquals(java.util.Set.of(two.a() + ":2", two.b() + ":1"),
                    java.util.Set.of(String.valueOf(moved).split(",")), "the resync moved a's position");
        }
        post(two.a(), "hugo", "user", "after the restore");
        // the browser's EventSource comes back with the id it holds
        try (SseStream stream = new SseStream(cluster.gateway2.baseUrl() + "/sse/" + tenant + two.query(),
                two.resumingAt(moved))) {
            SseStream.Event next = stream.collect(e -> e.data().has("seq"), 1, Duration.ofSeconds(15)).getFirst();
            assertEquals(3, next.data().path("seq").asLong(), next.data().toString());
            Thread.sleep(500);
            assertTrue(stream.rest().stream().noneMatch(resync), "not told to resync again");
        }
    }

    @Test
    void oneEventStreamCarriesSeveralSessionsAndResumesEachFromTheIdItLastGave() throws Exception {
        TwoSessions two = twoSessionsOf("gina");
        String a = two.a();
        String b = two.b();
        Map<String, String> auth = two.auth();
        String query = two.query();
        post(a, "gina", "user", "about order 1");
        post(b, "gina", "user", "about order 2");
        Predicate<SseStream.Event> events = e -> e.data().has("seq");
        String lastId;
        try (SseStream stream = new SseStream(cluster.gateway1.baseUrl() + "/sse/" + tenant + query, auth)) {
            assertEquals(200, stream.status);
            List<SseStream.Event> got = stream.collect(events, 4, Duration.ofSeconds(15));
            assertEquals(java.util.Set.of("session:" + a, "session:" + b), got.stream()
                    .map(e -> e.data().path("channel").asText()).collect(java.util.stream.Collectors.toSet()));
            lastId = got.getLast().id();
            assertEquals(java.util.Set.of(a + ":2", b + ":2"), java.util.Set.of(lastId.split(",")),
                    "the id is every channel's position");
        }
        post(a, "gina", "user", "order 1 again");
        post(b, "sam", "supporter", "order 2 is on its way");
        // the browser reconnects (here to the other instance) with the last id it saw
        Map<String, String> resume = new java.util.HashMap<>(auth);
        resume.put("Last-Event-ID", lastId);
        try (SseStream stream = new SseStream(cluster.gateway2.baseUrl() + "/sse/" + tenant + query, resume)) {
            List<SseStream.Event> got = stream.collect(events, 2, Duration.ofSeconds(15));
            assertEquals(java.util.Set.of("session:" + a + "@3", "session:" + b + "@3"), got.stream()
                    .map(e -> e.data().path("channel").asText() + "@" + e.data().path("seq").asLong())
                    .collect(java.util.stream.Collectors.toSet()), "only what each channel missed, once");
            Thread.sleep(500);
            assertTrue(stream.rest().stream().noneMatch(events), "nothing twice");
        }
        // each refusal says which part is wrong (one sentence named the channels and the cursor alike)
        String streams = cluster.gateway1.baseUrl() + "/sse/" + tenant;
        assertTrue(refusal(streams + "?channels=dashboard", auth)
                .startsWith("'dashboard' cannot be followed on a stream"));
        assertTrue(refusal(streams + "?channels=session:" + a + "&cursor=" + a + ":x", auth)
                .startsWith("cursor must be"));
        assertTrue(refusal(streams + "?channels=", auth).startsWith("channels must name the session channels"));
        // a channel named twice was subscribed twice: its history arrived twice on the one stream
        assertEquals("channels must name each channel once.", refusal(streams + "?channels=session:" + a
                + ",session:" + b + ",session:" + a, auth));
    }

    /** The detail of the 400 problem an event stream's request is refused with. */
    private static String refusal(String url, Map<String, String> headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url));
        headers.forEach(request::header);
        HttpResponse<String> response = HttpClient.newHttpClient().send(request.build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(400, response.statusCode(), response.body());
        return new com.fasterxml.jackson.databind.ObjectMapper().readTree(response.body()).path("detail").asText();
    }

    @Test
    void aCustomerSubscribesWithChatApisTokenOnEitherInstanceWithoutAskingChatApi() throws Exception {
        JsonPath session = newSession("alice");
        String id = session.getString("id");
        String token = session.getString("subscription_token");
        assertNotNull(token, "chat-api hands the participant a subscription token");
        post(id, "alice", "user", "one");
        double askedBefore = metric(cluster.gateway2, "parley_gateway_session_admissions_total", "by=\"chat-api\"");
        double byTokenBefore = metric(cluster.gateway2, "parley_gateway_session_admissions_total", "by=\"token\"");
        for (int reconnect = 0; reconnect < 3; reconnect++) {
            try (WsClient alice = connect(cluster.gateway2, "alice", "user")) {
                subscribe(alice, "session:" + id, 1, token);
                JsonNode subscribed = alice.await(frame("subscribed", "session:" + id), Duration.ofSeconds(10));
                assertEquals(2, subscribed.path("last_seq").asLong());
                assertEquals(2, alice.await(f -> f.has("seq"), Duration.ofSeconds(10)).path("seq").asLong());
            }
        }
        assertEquals(askedBefore, metric(cluster.gateway2, "parley_gateway_session_admissions_total",
                "by=\"chat-api\""), "no access question to chat-api");
        assertEquals(byTokenBefore + 3, metric(cluster.gateway2, "parley_gateway_session_admissions_total",
                "by=\"token\""));
    }

    @Test
    void refusedSubscriptionsAnswerWithACodeAndTheConnectionStaysOpen() {
        String bobs = newSession("bob").getString("id");
        String alicesToken = newSession("alice").getString("subscription_token");
        try (WsClient alice = connect(cluster.gateway1, "alice", "user")) {
            subscribe(alice, "session:" + bobs, 0, alicesToken);
            assertEquals("not_found", alice.await(frame("error", "session:" + bobs), Duration.ofSeconds(10))
                    .path("code").asText(), "another session's token is no key to bob's; chat-api says no");
            subscribe(alice, "dashboard", 0, null);
            assertEquals("forbidden", alice.await(frame("error", "dashboard"), Duration.ofSeconds(10))
                    .path("code").asText());
            alice.sendJson(Map.of("type", "message", "channel", "session:" + bobs, "content", "let me in"));
            assertEquals("not_subscribed", alice.awaitType("error").path("code").asText());
            alice.sendJson(Map.of("type", "ping"));
            alice.awaitType("pong");
        }
    }

    @Test
    void aFreshTokenOnTheOpenSocketIsConfirmedWithItsExpiryAndAnotherUsersIsRefused() {
        Instant opened = Instant.now();
        String first = cluster.token(tenant, "sam", "supporter", Duration.ofMinutes(30));
        try (WsClient sam = WsClient.connect(Cluster.ws(cluster.gateway2, "/ws/" + tenant), first);
                WsClient dashboard = WsClient.connect(Cluster.ws(cluster.gateway1, "/ws/" + tenant + "/dashboard"),
                        first)) {
            // the greeting says when the connection ends without a refresh: 30 minutes and the skew
            for (WsClient socket : List.of(sam, dashboard)) {
                JsonNode connected = socket.awaitType("connected");
                Instant ends = Instant.parse(connected.path("expires_at").asText());
                assertTrue(ends.isAfter(opened.plus(Duration.ofMinutes(30)))
                        && ends.isBefore(opened.plus(Duration.ofMinutes(32))), connected.toString());
            }
            Instant before = Instant.now();
            String fresh = cluster.token(tenant, "sam", "supporter", Duration.ofHours(2));
            sam.sendJson(Map.of("type", "auth", "token", fresh));
            JsonNode authenticated = sam.awaitType("authenticated");
            assertEquals("sam", authenticated.path("user_id").asText());
            Instant expiresAt = Instant.parse(authenticated.path("expires_at").asText());
            assertTrue(expiresAt.isAfter(before.plus(Duration.ofMinutes(119))), authenticated.toString());

            sam.sendJson(Map.of("type", "auth", "token", cluster.token(tenant, "ann", "supporter")));
            assertEquals("invalid_token", sam.awaitType("error").path("code").asText());
            sam.sendJson(Map.of("type", "ping"));
            sam.awaitType("pong");
        }
    }

    @Test
    void noCompressionIsNegotiatedSoNoFrameCanInflateBeyondItsCap() throws IOException {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", cluster.gateway1.port())) {
            socket.setSoTimeout(10_000);
            String request = "GET /ws/" + tenant + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                    + "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                    + "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n"
                    + "Authorization: Bearer " + cluster.token(tenant, "erin", "user") + "\r\n\r\n";
            socket.getOutputStream().write(request.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(
                    socket.getInputStream(), java.nio.charset.StandardCharsets.US_ASCII));
            List<String> headers = new ArrayList<>();
            String line;
            while ((line = in.readLine()) != null && !line.isEmpty()) {
                headers.add(line.toLowerCase(java.util.Locale.ROOT));
            }
            assertTrue(headers.getFirst().contains(" 101 "), headers.toString());
            assertTrue(headers.stream().noneMatch(h -> h.startsWith("sec-websocket-extensions")), headers.toString());
        }
    }

    @Test
    void aFrameOverTheSoftCapGetsAnErrorAndOneOverTheHardCapA1009Close() {
        try (WsClient erin = connect(cluster.gateway1, "erin", "user")) {
            erin.send("{\"type\":\"ping\",\"pad\":\"" + "x".repeat(20_000) + "\"}");
            assertEquals("frame_too_large", erin.awaitType("error").path("code").asText(), "over 16 KiB: refused");
            erin.sendJson(Map.of("type", "ping"));
            erin.awaitType("pong");
            erin.send("{\"type\":\"ping\",\"pad\":\"" + "x".repeat(70_000) + "\"}");
            assertEquals(1009, erin.awaitClose(Duration.ofSeconds(10)), "over the 64 KiB hard cap: message too big");
        }
    }

    @Test
    void aFixToTheBrowserClientReachesReturningBrowsersWithinAnHour() throws Exception {
        // /client/v1 keeps its path while the client's bugs are fixed under it (a new protocol gets
        // v2): cached for a year and "immutable", a browser that had it never asked again
        HttpClient http = HttpClient.newHttpClient();
        for (String file : List.of("/client/v1/parley-client.js", "/client/v1/widget.js")) {
            HttpResponse<String> first = http.send(HttpRequest.newBuilder(URI.create(cluster.gateway1.baseUrl() + file))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, first.statusCode(), file);
            String cache = first.headers().firstValue("Cache-Control").orElse("");
            Matcher maxAge = Pattern.compile("max-age=(\\d+)").matcher(cache);
            assertTrue(maxAge.find() && Long.parseLong(maxAge.group(1)) <= 3600, file + ": " + cache);
            assertTrue(!cache.contains("immutable"), file + " may change under its path: " + cache);
            String lastModified = first.headers().firstValue("Last-Modified").orElseThrow();
            HttpResponse<String> again = http.send(HttpRequest.newBuilder(URI.create(cluster.gateway1.baseUrl() + file))
                    .header("If-Modified-Since", lastModified).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(304, again.statusCode(), file + ": asking again costs no download while it is unchanged");
        }
    }

    @Test
    void theAssembledSystemAdmitsOnlyTheOriginsOfItsOwnPages() {
        String url = Cluster.ws(cluster.gateway1, "/ws/" + tenant);
        String token = "Bearer " + cluster.token(tenant, "erin", "user");
        assertEquals(403, WsClient.upgradeStatus(url, Map.of("Authorization", token, "Origin", "https://evil.example")));
        assertEquals(101, WsClient.upgradeStatus(url, Map.of("Authorization", token, "Origin",
                "http://127.0.0.1:" + cluster.gateway2.port())));
        assertEquals(101, WsClient.upgradeStatus(url, Map.of("Authorization", token)), "no Origin: not a browser");
    }

    @Test
    void aUsersFourthConnectionReplacesTheOldestWith4409() {
        List<WsClient> tabs = new ArrayList<>();
        try {
            for (int i = 0; i < 4; i++) {
                tabs.add(connect(cluster.gateway1, "carol", "user"));
            }
            assertEquals(4409, tabs.getFirst().awaitClose(Duration.ofSeconds(10)));
            for (WsClient tab : tabs.subList(1, 4)) {
                tab.sendJson(Map.of("type", "ping"));
                tab.awaitType("pong");
            }
            WsClient staff = connect(cluster.gateway1, "sam", "supporter");
            tabs.add(staff);
            staff.sendJson(Map.of("type", "ping"));
            staff.awaitType("pong");
        } finally {
            tabs.forEach(WsClient::close);
        }
    }

    @Test
    void sseClientsThatLeaveWhileTheyAreBeingAdmittedAreNeverRegistered() throws Exception {
        String session = newSession("dave").getString("id");
        String token = cluster.token(tenant, "dave", "user");
        int before = openConnections(cluster.gateway2);
        // chat-api frozen: admission (dave shows no subscription token) waits for its answer
        signal(cluster.chatApi, "STOP");
        List<CompletableFuture<HttpResponse<Void>>> requests = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                requests.add(http.sendAsync(HttpRequest.newBuilder(URI.create(cluster.gateway2.baseUrl() + "/sse/"
                        + tenant + "/session/" + session)).header("Authorization", "Bearer " + token).build(),
                        HttpResponse.BodyHandlers.discarding()));
            }
            Thread.sleep(1000);
            requests.forEach(r -> r.cancel(true)); // the clients go away
            Thread.sleep(500);
        } finally {
            signal(cluster.chatApi, "CONT");
        }
        Thread.sleep(3000); // admission completes now, for clients that are gone
        assertEquals(before, openConnections(cluster.gateway2), "no ghost stays registered");
    }

    @Test
    @Order(Integer.MAX_VALUE) // kills gateway 1: the last test of this class
    void aGatewayKilledWithSigkillLosesNothingItsClientsResumeOnTheOtherFromTheirLastSeq() throws Exception {
        JsonPath created = newSession("frank");
        String id = created.getString("id");
        String subscriptionToken = created.getString("subscription_token");
        String channel = "session:" + id;
        Predicate<JsonNode> event = f -> f.has("seq") && !"message_ack".equals(f.path("type").asText())
                && channel.equals(f.path("channel").asText());
        List<JsonNode> received = new ArrayList<>();
        WsClient frank = connect(cluster.gateway1, "frank", "user");
        subscribe(frank, channel, 0, subscriptionToken);
        received.addAll(frank.collect(event, 1, Duration.ofSeconds(15)));
        Thread poster = Thread.ofPlatform().start(() -> {
            for (int i = 0; i < 30; i++) {
                post(id, "sam", "supporter", "while an instance dies " + i);
            }
        });
        received.addAll(frank.collect(event, 5, Duration.ofSeconds(15)));
        cluster.gateway1.kill(); // SIGKILL: no drain, no close frame
        frank.awaitClose(Duration.ofSeconds(30));
        JsonNode frame;
        while ((frame = frank.frames.poll()) != null) {
            if (event.test(frame)) {
                received.add(frame);
            }
        }
        long last = 0;
        for (JsonNode f : received) {
            if (f.get("seq").asLong() == last + 1) {
                last++;
            }
        }
        try (WsClient again = connect(cluster.gateway2, "frank", "user")) {
            subscribe(again, channel, last, subscriptionToken);
            poster.join(60_000);
            received.addAll(again.collect(event, (int) (31 - last), Duration.ofSeconds(30)));
        }
        assertEquals(java.util.stream.LongStream.rangeClosed(1, 31).boxed().toList(),
                received.stream().map(f -> f.get("seq").asLong()).toList(),
                "every event exactly once, in order, across an instance killed without warning");
    }

    @Test
    void everyMetricTheDashboardAndTheAlertsNameIsExported() throws Exception {
        // what makes the labelled series appear: a refused upgrade, an admission, a 410, REST calls
        WsClient.upgradeStatus(Cluster.ws(cluster.gateway1, "/ws/" + tenant), Map.of("Authorization", "Bearer bad"));
        String id = newSession("grace").getString("id");
        try (WsClient staff = connect(cluster.gateway1, "sam", "supporter")) {
            subscribe(staff, "session:" + id, 0, null);
            staff.await(frame("subscribed", "session:" + id), Duration.ofSeconds(10));
            post(id, "sam", "supporter", "for the latency histogram");
            staff.await(f -> f.has("seq") && f.path("seq").asLong() == 2, Duration.ofSeconds(10));
            // a message over the socket: the gateway's post to chat-api is timed, by call and outcome
            double postsBefore = metric(cluster.gateway1, "parley_gateway_chatapi_requests_seconds_count",
                    "call=\"post\",outcome=\"2xx\"");
            staff.sendJson(Map.of("type", "message", "channel", "session:" + id, "content", "timed",
                    "client_message_id", "timed-1"));
            assertEquals(3, staff.awaitType("message_ack").path("seq").asLong());
            assertEquals(postsBefore + 1, metric(cluster.gateway1, "parley_gateway_chatapi_requests_seconds_count",
                    "call=\"post\",outcome=\"2xx\""), "the post counted once, as answered 2xx");
        }
        http.send(HttpRequest.newBuilder(URI.create(cluster.system.legacy().baseUrl()
                + "/api/admin/escalations")).header("User-Agent", "curl/8").build(),
                HttpResponse.BodyHandlers.discarding());
        StringBuilder scraped = new StringBuilder();
        for (ServiceProcess service : List.of(cluster.chatApi, cluster.gateway1, cluster.system.legacy())) {
            scraped.append(http.send(HttpRequest.newBuilder(URI.create(service.baseUrl() + "/q/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body());
        }
        java.nio.file.Path base = java.nio.file.Path.of("..", "deploy", "k8s", "base");
        String named = java.nio.file.Files.readString(base.resolve("grafana/parley-dashboard.json"))
                + java.nio.file.Files.readString(base.resolve("monitoring.yaml"));
        Matcher m = Pattern.compile("\\b((?:parley|http_server_requests|kafka_consumer)_[a-z_]+)").matcher(named);
        java.util.Set<String> names = new java.util.TreeSet<>();
        while (m.find()) {
            names.add(m.group(1));
        }
        assertTrue(names.size() >= 10, names.toString());
        List<String> missing = names.stream()
                .filter(name -> !Pattern.compile("(?m)^" + name + "[{ ]").matcher(scraped).find()).toList();
        assertEquals(List.of(), missing, "named by the dashboard or an alert but not exported");
    }

    private int openConnections(ServiceProcess gateway) throws IOException, InterruptedException {
        HttpResponse<String> scraped = http.send(HttpRequest.newBuilder(URI.create(gateway.baseUrl() + "/q/metrics"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, scraped.statusCode(), "the metrics page of " + gateway.name() + ": " + scraped.body());
        String page = scraped.body();
        Matcher m = Pattern.compile("(?m)^parley_gateway_connections_open(?:\\{[^}]*\\})? (\\S+)(?: # .*)?$").matcher(page);
        assertTrue(m.find(), "the open connections gauge is exported");
        return (int) Double.parseDouble(m.group(1));
    }

    @Test
    void oneTraceRunsFromThePostThroughTheOutboxToTheFanOutOnEachGateway() throws Exception {
        String session = newSession("ann").getString("id");
        post(session, "ann", "user", "traced");

        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        List<OtlpCollector.Span> trace = List.of();
        while (System.nanoTime() < deadline) {
            OtlpCollector.Span request = collector.spans.stream()
                    .filter(s -> s.service().equals("chat-api") && s.name().startsWith("POST ")
                            && s.name().endsWith("/messages") && s.parentSpanId().isEmpty())
                    .reduce((first, second) -> second).orElse(null);
            if (request != null) {
                String traceId = request.traceId();
                trace = collector.spans.stream().filter(s -> s.traceId().equals(traceId)).toList();
                if (trace.stream().filter(s -> s.name().equals("parley.deliver message_created")).count() == 2) {
                    break;
                }
            }
            Thread.sleep(200);
        }
        System.out.println("One trace, from the POST to the fan-out on each gateway:");
        trace.forEach(span -> System.out.println("  " + span));
        assertDeliveredOnBothInstancesUnderChatApisSpan(trace);
    }

    @Test
    void aMessageSentOverTheSocketIsTracedFromTheGatewayThroughChatApiToTheFanOutOnEachGateway() throws Exception {
        String session = newSession("bea").getString("id");
        try (WsClient bea = WsClient.connect(Cluster.ws(cluster.gateway1, "/ws/" + tenant + "/session/" + session),
                cluster.token(tenant, "bea", "user"))) {
            bea.sendJson(Map.of("type", "message", "content", "traced over ws", "client_message_id", "tr-1"));
            bea.awaitType("message_ack");
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        List<OtlpCollector.Span> trace = List.of();
        while (System.nanoTime() < deadline) {
            // chat-api's span of the gateway's call: its trace must start in the gateway
            OtlpCollector.Span stored = collector.spans.stream()
                    .filter(s -> s.service().equals("chat-api") && s.name().startsWith("POST ")
                            && s.name().endsWith("/messages") && !s.parentSpanId().isEmpty())
                    .reduce((first, second) -> second).orElse(null);
            if (stored != null) {
                trace = collector.spans.stream().filter(s -> s.traceId().equals(stored.traceId())).toList();
                if (trace.stream().filter(s -> s.name().equals("parley.deliver message_created")).count() == 2) {
                    break;
                }
            }
            Thread.sleep(200);
        }
        System.out.println("One trace, from a WebSocket message to the fan-out on each gateway:");
        trace.forEach(span -> System.out.println("  " + span));
        assertTrue(trace.stream().anyMatch(s -> s.service().equals("realtime-gateway")
                && s.instance().equals("gw-1") && !s.name().startsWith("parley.deliver")),
                "the trace starts in the gateway that received the frame: " + trace);
        assertDeliveredOnBothInstancesUnderChatApisSpan(trace);
    }

    private static void assertDeliveredOnBothInstancesUnderChatApisSpan(List<OtlpCollector.Span> trace) {
        List<OtlpCollector.Span> deliveries = trace.stream()
                .filter(s -> s.name().equals("parley.deliver message_created")).toList();
        assertEquals(2, deliveries.size(), "one delivery span per gateway instance: " + trace);
        assertEquals(2, deliveries.stream().map(OtlpCollector.Span::instance).distinct().count(), "on both instances");
        java.util.Set<String> chatApiSpans = trace.stream().filter(s -> s.service().equals("chat-api"))
                .map(OtlpCollector.Span::spanId).collect(java.util.stream.Collectors.toSet());
        for (OtlpCollector.Span delivery : deliveries) {
            assertEquals("realtime-gateway", delivery.service());
            assertTrue(chatApiSpans.contains(delivery.parentSpanId()), "continues chat-api's span: " + delivery);
        }
    }

    private static void signal(ServiceProcess process, String signal) throws IOException, InterruptedException {
        assertEquals(0, new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).start().waitFor());
    }
}
