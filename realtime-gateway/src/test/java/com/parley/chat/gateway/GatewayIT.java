package com.parley.chat.gateway;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.LongStream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import com.fasterxml.jackson.databind.JsonNode;
import com.parley.infra.DevTokens;
import com.parley.infra.ServiceProcess;

import io.restassured.http.ContentType;

/** chat-api and two gateway instances on real Kafka and PostgreSQL, driven by real WebSocket clients. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class GatewayIT {

    private static Cluster cluster;
    private final String tenant = "t-" + UUID.randomUUID();

    @BeforeAll
    static void start() {
        cluster = new Cluster(Map.of(
                "parley.gateway.limits.connections-per-session", "4",
                "parley.gateway.limits.connections-per-tenant", "6",
                "parley.gateway.limits.outbound-stall-timeout", "2S",
                "parley.gateway.allowed-origins", "http://shop.example",
                // short, so that aTcpConnectionThatSendsNoRequestIsClosed… waits seconds, not a minute
                "parley.gateway.heartbeat.ping-interval", "2S",
                "parley.gateway.heartbeat.silence-timeout", "6S"));
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.stop();
        }
    }

    private String newSession(String customer) {
        return given().auth().oauth2(cluster.token(tenant, customer, "user")).contentType(ContentType.JSON)
                .body("{}").post(cluster.chatApi.baseUrl() + "/api/tenants/" + tenant + "/sessions")
                .then().statusCode(201).extract().path("id");
    }

    private long post(String session, String user, String role, String content) {
        return given().auth().oauth2(cluster.token(tenant, user, role)).contentType(ContentType.JSON)
                .body(Map.of("content", content))
                .post(cluster.chatApi.baseUrl() + "/api/tenants/" + tenant + "/sessions/" + session + "/messages")
                .then().statusCode(201).extract().jsonPath().getLong("seq");
    }

    /** A user's socket on one instance for a session of this test's tenant. */
    private WsClient join(ServiceProcess gateway, String session, String user, String role) {
        return WsClient.connect(Cluster.ws(gateway, sessionPath(session)), cluster.token(tenant, user, role));
    }

    private String sessionPath(String session) {
        return "/ws/" + tenant + "/session/" + session;
    }

    private static List<Long> seqs(List<JsonNode> frames) {
        return frames.stream().map(f -> f.get("seq").asLong()).toList();
    }

    private static boolean isEvent(JsonNode frame) {
        return frame.has("seq") && !"message_ack".equals(frame.path("type").asText());
    }

    @Test
    @Order(1)
    void aPostedMessageReachesSocketsOnBothInstances() {
        String session = newSession("alice");
        try (WsClient alice = join(cluster.gateway1, session, "alice", "user");
                WsClient sam = join(cluster.gateway2, session, "sam", "supporter");
                WsClient dashboard = WsClient.connect(Cluster.ws(cluster.gateway2, "/ws/" + tenant + "/dashboard"),
                        cluster.token(tenant, "sam", "supporter"))) {
            JsonNode connected = alice.awaitType("connected");
            assertEquals(session, connected.get("session_id").asText());
            assertEquals("alice", connected.get("user_id").asText());
            assertEquals("user", connected.get("role").asText());
            assertEquals(1, alice.awaitType("session_created").get("seq").asLong());
            assertEquals("supporter", sam.awaitType("connected").get("role").asText());
            dashboard.awaitType("connected");

            long seq = post(session, "alice", "user", "Where is my parcel?");
            for (WsClient client : List.of(alice, sam, dashboard)) {
                JsonNode frame = client.awaitType("message_created");
                assertEquals(seq, frame.get("seq").asLong());
                assertEquals("Where is my parcel?", frame.get("content").asText());
                assertEquals(session, frame.get("session_id").asText());
            }
        }
    }

    @Test
    @Order(2)
    void aMessageSentOverTheSocketIsAckedAfterStorageAndReachesTheOtherInstance() {
        String session = newSession("alice");
        try (WsClient alice = join(cluster.gateway1, session, "alice", "user");
                WsClient sam = join(cluster.gateway2, session, "sam", "supporter")) {
            alice.awaitType("session_created");
            sam.awaitType("session_created");
            alice.sendJson(Map.of("type", "message", "content", "  hello over ws ", "client_message_id", "cm-1"));
            JsonNode ack = alice.awaitType("message_ack");
            assertEquals("cm-1", ack.get("client_message_id").asText());
            assertEquals(2, ack.get("seq").asLong());
            JsonNode delivered = sam.awaitType("message_created");
            assertEquals(ack.get("message_id").asText(), delivered.get("message_id").asText());
            assertEquals("hello over ws", delivered.get("content").asText());
            assertEquals("user", delivered.get("role").asText());

            // a resend with the same client_message_id yields the same message, no second event
            alice.sendJson(Map.of("type", "message", "content", "hello over ws", "client_message_id", "cm-1"));
            assertEquals(ack.get("message_id").asText(), alice.awaitType("message_ack").get("message_id").asText());
            alice.sendJson(Map.of("type", "message", "content", "   ", "client_message_id", "cm-2"));
            JsonNode error = alice.awaitType("error");
            assertEquals("validation_failed", error.get("code").asText());
            assertEquals("cm-2", error.get("client_message_id").asText());
            List<JsonNode> more = sam.collect(GatewayIT::isEvent, 1, Duration.ofSeconds(2));
            assertEquals(List.of(), more, "a retry or a refused message produced an event");
        }
    }

    @Test
    @Order(2)
    void messagesSentOverTheSocketInABurstAreStoredInTheOrderSent() {
        // each went on to chat-api at once, and a burst was stored in whatever order its posts committed:
        // the customer's "Hello" came after their question
        String session = newSession("alice");
        try (WsClient alice = join(cluster.gateway1, session, "alice", "user");
                WsClient sam = join(cluster.gateway2, session, "sam", "supporter")) {
            alice.awaitType("session_created");
            sam.awaitType("session_created");
            List<String> sent = new java.util.ArrayList<>();
            for (int i = 1; i <= 20; i++) {
                sent.add("line " + i);
                alice.sendJson(Map.of("type", "message", "content", "line " + i, "client_message_id", "burst-" + i));
            }
            List<JsonNode> acks = alice.collect(f -> "message_ack".equals(f.path("type").asText()), 20,
                    Duration.ofSeconds(30));
            assertEquals(20, acks.size());
            for (JsonNode ack : acks) {
                int line = Integer.parseInt(ack.get("client_message_id").asText().substring("burst-".length()));
                assertEquals(line + 1L, ack.get("seq").asLong(), "line " + line + " got the seq of its place");
            }
            List<JsonNode> received = sam.collect(f -> "message_created".equals(f.path("type").asText()), 20,
                    Duration.ofSeconds(30));
            assertEquals(sent, received.stream().map(f -> f.get("content").asText()).toList(),
                    "the other side reads them in the order written");
        }
    }

    @Test
    @Order(3)
    void typingReadReceiptsAndPresenceCrossInstancesButNotBackToTheSender() {
        String session = newSession("alice");
        try (WsClient alice = join(cluster.gateway1, session, "alice", "user");
                WsClient sam = join(cluster.gateway2, session, "sam", "supporter")) {
            alice.awaitType("connected");
            sam.awaitType("connected");
            JsonNode greeting = alice.awaitType("presence"); // right after connected: she is in it
            assertTrue(greeting.toString().contains("\"user_id\":\"alice\""), greeting.toString());
            JsonNode presence = alice.await(f -> "presence".equals(f.path("type").asText())
                    && f.get("participants").size() == 2, Duration.ofSeconds(15));
            Set<String> users = new HashSet<>();
            presence.get("participants").forEach(p -> users.add(p.get("user_id").asText() + "/" + p.get("role").asText()));
            assertEquals(Set.of("alice/user", "sam/supporter"), users);

            sam.sendJson(Map.of("type", "typing", "is_typing", true));
            JsonNode typing = alice.awaitType("typing_indicator");
            assertEquals("sam", typing.get("user_id").asText());
            assertEquals("supporter", typing.get("role").asText());
            assertTrue(typing.get("is_typing").asBoolean());
            alice.sendJson(Map.of("type", "read", "up_to_seq", 1));
            JsonNode receipt = sam.awaitType("read_receipt");
            assertEquals("alice", receipt.get("user_id").asText());
            assertEquals(1, receipt.get("up_to_seq").asLong());
            // a read that moves nothing is no news: each went to every instance over Kafka and was stored again
            for (int i = 0; i < 5; i++) {
                alice.sendJson(Map.of("type", "read", "up_to_seq", i % 2));
            }
            assertEquals(List.of(), sam.collect(f -> "read_receipt".equals(f.path("type").asText()), 1,
                    Duration.ofSeconds(1)), "receipts of reads that moved nothing");
            assertEquals(List.of(), sam.collect(f -> "typing_indicator".equals(f.path("type").asText()), 1,
                    Duration.ofSeconds(1)), "the sender saw its own typing");
        }
    }

    @Test
    @Order(4)
    void aClientThatReconnectsWithLastSeqGetsExactlyTheMissedEventsInOrder() {
        String session = newSession("alice");
        String token = cluster.token(tenant, "alice", "user");
        long seen;
        try (WsClient alice = WsClient.connect(Cluster.ws(cluster.gateway1, sessionPath(session)), token)) {
            post(session, "alice", "user", "first");
            seen = alice.await(f -> f.path("seq").asLong() == 2, Duration.ofSeconds(15)).get("seq").asLong();
        }
        for (int i = 0; i < 5; i++) {
            post(session, "sam", "supporter", "while away " + i);
        }
        try (WsClient alice = WsClient.connect(Cluster.ws(cluster.gateway2, sessionPath(session) + "?last_seq=" + seen),
                token)) {
            assertEquals(7, alice.awaitType("connected").get("last_seq").asLong());
            List<JsonNode> replay = alice.collect(GatewayIT::isEvent, 5, Duration.ofSeconds(15));
            assertEquals(List.of(3L, 4L, 5L, 6L, 7L), seqs(replay));
            assertEquals("while away 0", replay.get(0).get("content").asText());
            post(session, "sam", "supporter", "live again");
            assertEquals(List.of(8L), seqs(alice.collect(GatewayIT::isEvent, 1, Duration.ofSeconds(15))));
        }
    }

    @Test
    @Order(5)
    void upgradesAreRefusedBeforeTheHandshake() {
        String session = newSession("alice");
        String url = Cluster.ws(cluster.gateway1, sessionPath(session));
        String other = "t-" + UUID.randomUUID();
        assertEquals(401, WsClient.upgradeStatus(url, Map.of()));
        assertEquals(401, WsClient.upgradeStatus(url, Map.of("Authorization", "Bearer not-a-jwt")));
        assertEquals(401, WsClient.upgradeStatus(url, Map.of("Authorization", "Bearer "
                + DevTokens.signedByStranger(tenant, "alice", "user"))));
        assertEquals(401, WsClient.upgradeStatus(url, Map.of("Authorization", "Bearer "
                + cluster.infra.tokens().issue(tenant, "alice", "user", Duration.ofSeconds(-30)))));
        assertEquals(403, WsClient.upgradeStatus(url, Map.of("Authorization", "Bearer " + cluster.token(other, "alice", "user"))));
        assertEquals(403, WsClient.upgradeStatus(url, Map.of("Authorization", "Bearer " + cluster.token(tenant, "bob", "user"))));
        assertEquals(403, WsClient.upgradeStatus(Cluster.ws(cluster.gateway1, "/ws/" + tenant + "/dashboard"),
                Map.of("Authorization", "Bearer " + cluster.token(tenant, "alice", "user"))));
        assertEquals(403, WsClient.upgradeStatus(url, Map.of("Authorization", "Bearer " + cluster.token(tenant, "alice", "user"),
                "Origin", "http://evil.example")));
        assertEquals(101, WsClient.upgradeStatus(url, Map.of("Authorization", "Bearer " + cluster.token(tenant, "alice", "user"),
                "Origin", "http://shop.example")));
        // the token in the query parameter, as EventSource and some clients send it
        assertEquals(101, WsClient.upgradeStatus(url + "?token=" + cluster.token(tenant, "alice", "user"), Map.of()));
        // the token in the browser subprotocol
        String protocol = "quarkus-http-upgrade#Authorization#Bearer%20" + cluster.token(tenant, "alice", "user");
        assertEquals(101, WsClient.upgradeStatus(url, Map.of("Sec-WebSocket-Protocol", "bearer-token-carrier, " + protocol)));
    }

    @Test
    @Order(5)
    void aRequestTheGatewayRefusesSaysWhyAsChatApiDoes() throws Exception {
        String session = newSession("alice");
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        // a WebSocket URL asked without an upgrade, as through a proxy that drops the Upgrade header
        var plain = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(cluster.gateway1.baseUrl()
                + "/ws/" + tenant)).header("Authorization", "Bearer " + cluster.token(tenant, "alice", "user")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals(426, plain.statusCode(), plain.body());
        assertEquals("websocket", plain.headers().firstValue("Upgrade").orElse(null));
        assertEquals("application/problem+json", plain.headers().firstValue("Content-Type").orElse(null));
        JsonNode upgradeRequired = new com.fasterxml.jackson.databind.ObjectMapper().readTree(plain.body());
        assertEquals(426, upgradeRequired.path("status").asInt());
        assertTrue(upgradeRequired.path("detail").asText().contains("Upgrade"), plain.body());

        // a refused upgrade names its reason and, for a token, the scheme to authenticate with
        String url = Cluster.ws(cluster.gateway1, sessionPath(session));
        var noToken = WsClient.refusedUpgrade(url, Map.of());
        assertEquals(401, noToken.statusCode());
        assertEquals("Bearer", noToken.headers().firstValue("WWW-Authenticate").orElse(null));
        assertEquals("token", noToken.headers().firstValue("X-Refused-Because").orElse(null));
        var foreign = WsClient.refusedUpgrade(url, Map.of("Authorization", "Bearer " + cluster.token(tenant, "bob", "user")));
        assertEquals(403, foreign.statusCode());
        assertTrue(foreign.headers().firstValue("WWW-Authenticate").isEmpty());

        // the event stream's refusals: a problem whose detail a developer can act on
        var anonymous = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(
                cluster.gateway2.baseUrl() + "/sse/" + tenant + "/session/" + session)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals(401, anonymous.statusCode());
        assertEquals("Bearer", anonymous.headers().firstValue("WWW-Authenticate").orElse(null));
        JsonNode unauthorized = new com.fasterxml.jackson.databind.ObjectMapper().readTree(anonymous.body());
        assertEquals("token", unauthorized.path("reason").asText());
        assertTrue(unauthorized.path("detail").asText().contains("bearer token"), anonymous.body());
        var notHers = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(
                cluster.gateway2.baseUrl() + "/sse/" + tenant + "/session/" + session + "?token="
                        + cluster.token(tenant, "bob", "user"))).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals(403, notHers.statusCode());
        assertTrue(new com.fasterxml.jackson.databind.ObjectMapper().readTree(notHers.body()).path("detail").asText()
                .contains("No such session"), notHers.body());

        // a resume point that is no seq: the detail names the parameter given (it said Last-Event-ID for last_seq)
        var badResume = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(
                cluster.gateway2.baseUrl() + "/sse/" + tenant + "/session/" + session + "?last_seq=abc"))
                .header("Authorization", "Bearer " + cluster.token(tenant, "alice", "user")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals(400, badResume.statusCode());
        assertTrue(new com.fasterxml.jackson.databind.ObjectMapper().readTree(badResume.body()).path("detail").asText()
                .startsWith("last_seq must be a seq"), badResume.body());

        // a stream posted to, as if it took messages: the method is wrong, not the URL (it answered 404)
        var posted = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(
                cluster.gateway1.baseUrl() + "/sse/" + tenant + "/session/" + session))
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"content\":\"hi\"}")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals(405, posted.statusCode(), posted.body());
        assertEquals("GET", posted.headers().firstValue("Allow").orElse(null));
        assertEquals("application/problem+json", posted.headers().firstValue("Content-Type").orElse(null));

        // a URL the gateway does not serve: a problem too, not an HTML page
        var unknown = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(cluster.gateway1.baseUrl()
                + "/api/tenants/" + tenant + "/sessions")).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals(404, unknown.statusCode());
        assertEquals("application/problem+json", unknown.headers().firstValue("Content-Type").orElse(null));
        assertEquals(404, new com.fasterxml.jackson.databind.ObjectMapper().readTree(unknown.body()).path("status").asInt());
    }

    @Test
    @Order(6)
    void malformedOversizedAndUnknownFramesGetErrorsAndTheConnectionStaysUsable() {
        String session = newSession("alice");
        try (WsClient alice = join(cluster.gateway1, session, "alice", "user")) {
            alice.awaitType("connected");
            alice.send("this is not json");
            assertEquals("malformed_frame", alice.awaitType("error").get("code").asText());
            alice.send("{\"type\":\"message\",\"content\":\"" + "x".repeat(20_000) + "\"}");
            assertEquals("frame_too_large", alice.awaitType("error").get("code").asText());
            alice.send("{\"type\":\"teleport\"}");
            assertEquals("unknown_type", alice.awaitType("error").get("code").asText());
            alice.send("{\"type\":\"typing\",\"is_typing\":\"yes\"}");
            assertEquals("invalid_typing", alice.awaitType("error").get("code").asText());
            alice.send("{\"type\":\"message\",\"content\":42,\"client_message_id\":\"n-1\"}");
            JsonNode bad = alice.awaitType("error");
            assertEquals("invalid_message", bad.get("code").asText());
            assertEquals("n-1", bad.get("client_message_id").asText());
            // an id that is not text is refused, not dropped (the message would lose its idempotency)
            alice.send("{\"type\":\"message\",\"content\":\"numbered\",\"client_message_id\":7}");
            JsonNode numberedId = alice.awaitType("error");
            assertEquals("invalid_message", numberedId.get("code").asText());
            assertEquals("client_message_id must be a string.", numberedId.get("message").asText());
            // half of a surrogate pair would have been stored as '?'; a long id was cut to 128 characters
            // and taken for the first message of another id that began the same way
            alice.send("{\"type\":\"message\",\"content\":\"hi \\ud800\",\"client_message_id\":\"h-1\"}");
            JsonNode half = alice.awaitType("error");
            assertEquals("validation_failed", half.get("code").asText());
            assertEquals("content must be valid Unicode text (it holds half of a surrogate pair).",
                    half.get("message").asText());
            String longId = "L".repeat(128);
            alice.sendJson(Map.of("type", "message", "content", "first", "client_message_id", longId + "-a"));
            JsonNode tooLong = alice.awaitType("error");
            assertEquals("validation_failed", tooLong.get("code").asText());
            assertEquals("client_message_id must have 1 to 128 characters.", tooLong.get("message").asText());
            alice.send("{\"type\":\"ping\"}");
            alice.awaitType("pong");
            alice.sendJson(Map.of("type", "message", "content", "still here", "client_message_id", "ok-1"));
            assertEquals("ok-1", alice.awaitType("message_ack").get("client_message_id").asText());
            List<String> stored = given().auth().oauth2(cluster.token(tenant, "alice", "user"))
                    .get(cluster.chatApi.baseUrl() + "/api/tenants/" + tenant + "/sessions/" + session + "/messages")
                    .then().statusCode(200).extract().jsonPath().getList("items.content");
            assertEquals(List.of("still here"), stored, "only the well-formed message is stored");
        }
    }

    @Test
    @Order(7)
    void theConnectionLimitPerSessionClosesTheExtraConnectionWith1013() {
        String session = newSession("alice");
        List<WsClient> open = new ArrayList<>();
        try {
            for (int i = 0; i < 4; i++) {
                WsClient c = join(cluster.gateway1, session, "alice", "user");
                c.awaitType("connected");
                open.add(c);
            }
            WsClient fifth = join(cluster.gateway1, session, "sam", "supporter");
            open.add(fifth);
            assertEquals(1013, fifth.awaitClose(Duration.ofSeconds(10)), "a limit: try again later");
        } finally {
            open.forEach(WsClient::close);
        }
    }

    @Test
    @Order(8)
    void aFloodOfFramesIsRefusedAndThenClosed() {
        String session = newSession("alice");
        try (WsClient alice = join(cluster.gateway1, session, "alice", "user")) {
            alice.awaitType("connected");
            for (int i = 0; i < 200 && !alice.closeCode.isDone(); i++) {
                alice.send("{\"type\":\"ping\"}");
            }
            alice.awaitType("error");
            assertEquals(1008, alice.awaitClose(Duration.ofSeconds(10)));
        }
        // control frames are frames too: the gateway answered each ping with a pong, 1.3 million in 5 s
        // on one socket at a core's worth of CPU, and buffered the pongs of a client that did not read them
        assertFloodClosed(join(cluster.gateway1, session, "alice", "user"), WsClient::sendPing, "pings");
        // on each of the three endpoints: the session socket above, the multiplexed one, the dashboard
        assertFloodClosed(WsClient.connect(Cluster.ws(cluster.gateway2, "/ws/" + tenant),
                cluster.token(tenant, "alice", "user")), WsClient::sendPong, "pongs");
        // binary frames were dropped without a word, 900,000 in 5 s, and never closed either
        try (WsClient binary = join(cluster.gateway1, session, "alice", "user")) {
            binary.awaitType("connected");
            binary.sendBinary("{\"type\":\"ping\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            JsonNode error = binary.awaitType("error");
            assertEquals("malformed_frame", error.get("code").asText(), error.toString());
            binary.send("{\"type\":\"ping\"}"); // the connection stays usable
            binary.awaitType("pong");
        }
        assertFloodClosed(WsClient.connect(Cluster.ws(cluster.gateway1, "/ws/" + tenant + "/dashboard"),
                cluster.token(tenant, "sam", "supporter")), c -> c.sendBinary(new byte[10]), "binary frames");
    }

    /** {@code client} sends frames with {@code send} as fast as it can: the gateway closes it with 1008. */
    private static void assertFloodClosed(WsClient client, java.util.function.Predicate<WsClient> send, String what) {
        try (client) {
            client.awaitType("connected");
            int sent = 0;
            while (sent < 100_000 && !client.closeCode.isDone() && send.test(client)) {
                sent++;
            }
            assertEquals(1008, client.awaitClose(Duration.ofSeconds(10)), "after " + sent + " " + what);
        }
    }

    @Test
    @Order(8)
    void writingFasterThanChatApiTakesGetsTooManyWritesWithWhenToSendAgain() {
        String session = newSession("wally"); // a user of its own: the others' write budgets stay full
        try (WsClient wally = join(cluster.gateway1, session, "wally", "user");
                WsClient again = join(cluster.gateway2, session, "wally", "user")) {
            wally.awaitType("connected");
            again.awaitType("connected");
            // chat-api takes a burst of 50 posts per user, then 10 a second; a socket's posts go one at a
            // time, so two sockets write at once: 120 posts outrun the refill however slow each one is
            for (int i = 0; i < 60; i++) {
                wally.sendJson(Map.of("type", "message", "content", "m" + i, "client_message_id", "w-" + i));
                again.sendJson(Map.of("type", "message", "content", "n" + i, "client_message_id", "w-n" + i));
            }
            JsonNode refused = wally.await(f -> "error".equals(f.path("type").asText()), Duration.ofSeconds(15));
            assertEquals("too_many_writes", refused.get("code").asText());
            assertTrue(refused.get("retry_after").asLong() >= 1, "says when to send it again: " + refused);
            assertTrue(refused.get("client_message_id").asText().startsWith("w-"), refused.toString());
        }
    }

    @Test
    @Order(9)
    void theSseFallbackStreamsEventsWithIdsAndResumesAfterLastEventId() throws Exception {
        String session = newSession("alice");
        String token = cluster.token(tenant, "alice", "user");
        post(session, "alice", "user", "one");
        post(session, "sam", "supporter", "two");
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        java.net.http.HttpRequest request = java.net.http.HttpRequest.newBuilder(java.net.URI.create(
                cluster.gateway2.baseUrl() + "/sse/" + tenant + "/session/" + session))
                .header("Authorization", "Bearer " + token).header("Last-Event-ID", "1").build();
        java.net.http.HttpResponse<java.util.stream.Stream<String>> response = http.send(request,
                java.net.http.HttpResponse.BodyHandlers.ofLines());
        assertEquals(200, response.statusCode());
        assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream"));
        java.util.Iterator<String> lines = response.body().iterator();
        List<String> ids = new ArrayList<>();
        List<String> types = new ArrayList<>();
        Thread.ofPlatform().start(() -> post(session, "alice", "user", "three"));
        while (ids.size() < 2 && lines.hasNext()) {
            String line = lines.next();
            if (line.startsWith("id: ")) {
                ids.add(line.substring(4));
            } else if (line.startsWith("data: ")) {
                types.add(new com.fasterxml.jackson.databind.ObjectMapper().readTree(line.substring(6))
                        .path("type").asText());
            }
        }
        assertEquals(List.of("2", "3"), ids);
        assertTrue(types.contains("connected"), types.toString());
        response.body().close();

        java.net.http.HttpRequest anonymous = java.net.http.HttpRequest.newBuilder(java.net.URI.create(
                cluster.gateway2.baseUrl() + "/sse/" + tenant + "/session/" + session)).build();
        assertEquals(401, http.send(anonymous, java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode());
        java.net.http.HttpRequest foreign = java.net.http.HttpRequest.newBuilder(java.net.URI.create(
                cluster.gateway2.baseUrl() + "/sse/" + tenant + "/session/" + session + "?token="
                        + cluster.token(tenant, "bob", "user"))).build();
        assertEquals(403, http.send(foreign, java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode());
    }

    @Test
    @Order(10)
    void theConnectionLimitPerTenantClosesTheExtraConnectionOnThatInstanceOnly() {
        List<WsClient> open = new ArrayList<>();
        try {
            for (String customer : List.of("alice", "bob")) {
                String session = newSession(customer);
                for (int i = 0; i < 3; i++) {
                    WsClient c = WsClient.connect(Cluster.ws(cluster.gateway1, sessionPath(session)),
                            cluster.token(tenant, customer, "user"));
                    c.awaitType("connected");
                    open.add(c);
                }
            }
            WsClient seventh = WsClient.connect(Cluster.ws(cluster.gateway1, "/ws/" + tenant + "/dashboard"),
                    cluster.token(tenant, "sam", "supporter"));
            open.add(seventh);
            assertEquals(1013, seventh.awaitClose(Duration.ofSeconds(10)), "capacity: try again later, not a ban");
            WsClient elsewhere = WsClient.connect(Cluster.ws(cluster.gateway2, "/ws/" + tenant + "/dashboard"),
                    cluster.token(tenant, "sam", "supporter"));
            open.add(elsewhere);
            String other = newSession("carol");
            assertEquals(other, elsewhere.awaitType("session_created").path("session_id").asText(),
                    "the limit is per instance: the other instance still serves the tenant");
            assertTrue(open.subList(0, 6).stream().noneMatch(c -> c.closeCode.isDone()), "the first six stay open");
        } finally {
            open.forEach(WsClient::close);
        }
    }

    @Test
    @Order(11)
    void aClientThatStopsReadingIsClosedAndLetGoWhileTheOthersReceiveEverything() throws Exception {
        String session = newSession("alice");
        double closedBefore = slowConsumerCloses();
        try (WsClient reader = join(cluster.gateway1, session, "sam", "supporter");
                StuckReader stuck = new StuckReader(cluster.gateway1.port(), sessionPath(session),
                        cluster.token(tenant, "alice", "user"))) {
            reader.await(f -> "presence".equals(f.path("type").asText())
                    && f.path("participants").toString().contains("alice"), Duration.ofSeconds(15));
            int events = 3000; // ~12 MB: more than the socket buffers and the 1 MiB outbound queue hold
            KafkaEvents.produce(cluster.infra.kafka().bootstrapServers(), tenant, session, 2, events, 4000);
            List<JsonNode> received = reader.collect(f -> "message_created".equals(f.path("type").asText()), events,
                    Duration.ofSeconds(90));
            assertEquals(LongStream.rangeClosed(2, events + 1).boxed().toList(), seqs(received),
                    "the reading client gets every event once, in order");
            assertTrue(slowConsumerCloses() > closedBefore, "the gateway closed the client that stopped reading");
            sleep(4000); // the close grace (2 s) and then some: the gateway has let go of the socket
            StuckReader.Drained drained = stuck.drain(Duration.ofSeconds(5));
            assertEquals(StuckReader.End.RESET, drained.end(),
                    "the gateway reset the socket instead of waiting behind the unread bytes (read " + drained.bytes()
                            + " bytes, close code " + drained.closeCode() + ")");
            assertTrue(drained.bytes() < events * 4000L, "the stuck client was cut off, not buffered without end");
            KafkaEvents.produce(cluster.infra.kafka().bootstrapServers(), tenant, session, events + 2, 1, 10);
            assertEquals(events + 2, reader.awaitType("message_created").path("seq").asLong(),
                    "the instance keeps serving the reading client");
        }
    }

    @Test
    @Order(12)
    void aBrokerRestartUnderTrafficLosesAndRepeatsNothing() throws Exception {
        String session = newSession("alice");
        try (WsClient alice = join(cluster.gateway1, session, "alice", "user");
                WsClient sam = join(cluster.gateway2, session, "sam", "supporter")) {
            alice.awaitType("connected");
            sam.awaitType("connected");
            Thread poster = Thread.ofPlatform().start(() -> {
                for (int i = 0; i < 30; i++) {
                    post(session, i % 2 == 0 ? "alice" : "sam", i % 2 == 0 ? "user" : "supporter", "m" + i);
                    sleep(150);
                }
            });
            sleep(1000);
            cluster.infra.kafka().stop();
            sleep(2000);
            cluster.infra.kafka().start();
            poster.join(60_000);
            List<Long> expected = LongStream.rangeClosed(1, 31).boxed().toList();
            assertEquals(expected, seqs(alice.collect(GatewayIT::isEvent, 31, Duration.ofSeconds(90))));
            assertEquals(expected, seqs(sam.collect(GatewayIT::isEvent, 31, Duration.ofSeconds(30))));
        }
        // the event stream's health and lag are there for the operator: ready again after the restart
        // (the Kafka checks may say DOWN while the consumers rejoin), and alive throughout
        for (ServiceProcess gateway : List.of(cluster.gateway1, cluster.gateway2)) {
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (given().get(gateway.baseUrl() + "/q/health/ready").statusCode() != 200
                    && System.nanoTime() < deadline) {
                sleep(250);
            }
            given().get(gateway.baseUrl() + "/q/health/ready").then().statusCode(200)
                    .body("checks.find { it.name == 'event-stream' }.status", org.hamcrest.Matchers.equalTo("UP"));
            given().get(gateway.baseUrl() + "/q/health/live").then().statusCode(200)
                    .body("checks.find { it.name == 'event-stream-thread' }.status",
                            org.hamcrest.Matchers.equalTo("UP"));
            String metrics = given().get(gateway.baseUrl() + "/q/metrics").then().statusCode(200).extract().asString();
            assertTrue(metrics.lines().anyMatch(l -> l.startsWith("kafka_consumer_fetch_manager_records_lag_max{")
                    && l.contains("parley-gateway-events")), "the event stream's consumer lag is exported");
        }
    }

    /**
     * A rolling restart sends chat-api SIGTERM while requests are in flight: they are answered, not cut off.
     * A post cut off after its commit looks failed to its client, whose retry without a client_message_id
     * writes the message twice. Here the post waits for its session's row, held by another transaction,
     * while SIGTERM arrives.
     */
    @Test
    @Order(13)
    void aChatApiStoppedWithSigtermAnswersThePostsInFlight() throws Exception {
        String session = newSession("alice");
        java.util.concurrent.CompletableFuture<Integer> answer;
        Thread stopping;
        try (java.sql.Connection db = java.sql.DriverManager.getConnection(cluster.infra.postgres().jdbcUrl(),
                com.parley.infra.PostgresServer.USER, com.parley.infra.PostgresServer.PASSWORD)) {
            db.setAutoCommit(false);
            try (var lock = db.prepareStatement("select id from sessions where id = ? for update")) {
                lock.setObject(1, java.util.UUID.fromString(session));
                lock.executeQuery().close();
            }
            answer = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try {
                    return given().auth().oauth2(cluster.token(tenant, "alice", "user")).contentType(ContentType.JSON)
                            .body(Map.of("content", "sent as the rollout began"))
                            .post(cluster.chatApi.baseUrl() + "/api/tenants/" + tenant + "/sessions/" + session
                                    + "/messages").statusCode();
                } catch (Exception cutOff) {
                    return 0;
                }
            });
            sleep(1000); // the post waits for the row
            stopping = Thread.ofPlatform().start(cluster.chatApi::stop); // SIGTERM, then waits for the exit
            sleep(1000);
            db.rollback(); // the row is free: the post goes on
        }
        assertEquals(201, answer.get(30, java.util.concurrent.TimeUnit.SECONDS), "the post in flight at SIGTERM");
        stopping.join(Duration.ofSeconds(40));
        cluster.chatApi.start(Duration.ofSeconds(90));
        assertEquals(2, post(session, "alice", "user", "after the restart") - 1, "the post in flight was stored once");
    }

    @Test
    @Order(12)
    void aTcpConnectionThatSendsNoRequestIsClosedAfterTheSilenceTimeoutWhileAQuietSocketStays() throws Exception {
        // the gateway kept a connection that never sent a request, or stopped halfway through its
        // headers, open for Quarkus' default 30 minutes: a few thousand of them used up its sockets
        String session = newSession("alice");
        String path = "/ws/" + tenant + "/session/" + session;
        try (WsClient quiet = WsClient.connect(Cluster.ws(cluster.gateway1, path), cluster.token(tenant, "alice", "user"));
                java.net.Socket silent = new java.net.Socket("127.0.0.1", cluster.gateway1.port());
                java.net.Socket halfway = new java.net.Socket("127.0.0.1", cluster.gateway1.port())) {
            quiet.awaitType("connected");
            halfway.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n")
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            silent.setSoTimeout(30_000);
            halfway.setSoTimeout(30_000);
            long start = System.nanoTime();
            assertEquals(-1, silent.getInputStream().read(), "closed by the gateway");
            assertEquals(-1, halfway.getInputStream().read(), "closed by the gateway");
            long seconds = Duration.ofNanos(System.nanoTime() - start).toSeconds();
            assertTrue(seconds >= 2 && seconds <= 15, "closed after the 6 s silence timeout, not " + seconds + " s");
            // the socket that sent nothing either (the gateway pings it, it answers) is still open
            post(session, "sam", "supporter", "still there?");
            assertEquals("still there?", quiet.awaitType("message_created").get("content").asText());
        }
    }

    @Test
    @Order(12)
    void aTenantWhoseIdAURLMustEscapeChatsAsAnyOther() {
        // chat-api takes any tenant id of up to 64 characters; the gateway put it into its requests to
        // chat-api as it was: a space made every one fail (503 after 10 s), a slash sent it elsewhere
        String odd = "Acme Corp/ä:" + UUID.randomUUID().toString().substring(0, 8);
        String inPath = java.net.URLEncoder.encode(odd, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20");
        String alice = cluster.token(odd, "alice", "user");
        String session = given().auth().oauth2(alice).contentType(ContentType.JSON).body("{}").urlEncodingEnabled(false)
                .post(cluster.chatApi.baseUrl() + "/api/tenants/" + inPath + "/sessions")
                .then().statusCode(201).extract().path("id");
        // no subscription token: the gateway asks chat-api whether alice may follow it, then reads its history
        try (WsClient socket = WsClient.connect(Cluster.ws(cluster.gateway1, "/ws/" + inPath + "/session/" + session),
                alice)) {
            assertEquals(1, socket.awaitType("connected").get("last_seq").asLong());
            socket.sendJson(Map.of("type", "message", "content", "hello from an odd tenant", "client_message_id", "o-1"));
            assertEquals(2, socket.awaitType("message_ack").get("seq").asLong());
            assertEquals("hello from an odd tenant", socket.awaitType("message_created").get("content").asText());
        }
    }

    @Test
    @Order(13)
    void chatApiKilledWithSigkillUnderTrafficLosesAndRepeatsNothingOnClientsOrTopic() throws Exception {
        String session = newSession("alice");
        assertNothingLostOrRepeatedThrough(session, () -> {
            cluster.chatApi.kill(); // mid-batch as likely as not: its relay publishes all the time
            sleep(500);
            cluster.chatApi.start(Duration.ofSeconds(90));
        });
    }

    @Test
    @Order(14)
    void aPostgresRestartUnderTrafficAnswers503ThenRecoversAndLosesAndRepeatsNothing() throws Exception {
        String session = newSession("alice");
        Set<Integer> statuses = assertNothingLostOrRepeatedThrough(session, () -> {
            cluster.infra.postgres().stop();
            sleep(2000);
            cluster.infra.postgres().start();
        });
        assertTrue(statuses.contains(503), "writes during the outage are told to come back: " + statuses);
    }

    /**
     * Two writers post 20 messages each (every one retried with its client_message_id until stored)
     * while {@code fault} happens; then both clients, on different instances, and the topic hold
     * every event of the session exactly once, in order. Answers the statuses the writers saw.
     */
    private Set<Integer> assertNothingLostOrRepeatedThrough(String session, Runnable fault) throws Exception {
        Set<Integer> statuses = java.util.concurrent.ConcurrentHashMap.newKeySet();
        java.util.concurrent.atomic.AtomicInteger stored = new java.util.concurrent.atomic.AtomicInteger();
        try (WsClient alice = join(cluster.gateway1, session, "alice", "user");
                WsClient sam = join(cluster.gateway2, session, "sam", "supporter")) {
            alice.awaitType("connected");
            sam.awaitType("connected");
            List<Thread> writers = new ArrayList<>();
            for (String[] writer : List.of(new String[] { "alice", "user" }, new String[] { "sam", "supporter" })) {
                writers.add(Thread.ofPlatform().start(() -> {
                    for (int i = 0; i < 20; i++) {
                        postUntilStored(session, writer[0], writer[1], writer[0] + "-" + i, statuses);
                        stored.incrementAndGet();
                        sleep(50);
                    }
                }));
            }
            while (stored.get() < 8) {
                sleep(20);
            }
            fault.run();
            for (Thread writer : writers) {
                writer.join(Duration.ofSeconds(150));
            }
            assertEquals(40, stored.get(), "every write was stored in the end");
            List<Long> expected = LongStream.rangeClosed(1, 41).boxed().toList();
            assertEquals(expected, seqs(alice.collect(GatewayIT::isEvent, 41, Duration.ofSeconds(90))),
                    "alice (instance 1): every event once, in order");
            assertEquals(expected, seqs(sam.collect(GatewayIT::isEvent, 41, Duration.ofSeconds(30))),
                    "sam (instance 2): every event once, in order");
            assertEquals(expected, KafkaEvents.seqsOnTopic(cluster.infra.kafka().bootstrapServers(), tenant, session),
                    "the topic: every event once, in order");
        }
        return statuses;
    }

    /** Posts until chat-api stored the message (201, or 200 for a retry it had stored already). */
    private void postUntilStored(String session, String user, String role, String clientMessageId,
            Set<Integer> statuses) {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (System.nanoTime() < deadline) {
            try {
                int status = given().auth().oauth2(cluster.token(tenant, user, role)).contentType(ContentType.JSON)
                        .body(Map.of("content", "under a fault " + clientMessageId, "client_message_id",
                                clientMessageId))
                        .post(cluster.chatApi.baseUrl() + "/api/tenants/" + tenant + "/sessions/" + session
                                + "/messages")
                        .statusCode();
                statuses.add(status);
                if (status == 201 || status == 200) {
                    return;
                }
            } catch (Exception e) { // connection refused while chat-api is down
                statuses.add(0);
            }
            sleep(200);
        }
        throw new AssertionError(clientMessageId + " was never stored");
    }

    private double slowConsumerCloses() {
        String metrics = given().get(cluster.gateway1.baseUrl() + "/q/metrics").then().statusCode(200).extract()
                .asString();
        return metrics.lines().filter(l -> l.startsWith("parley_gateway_slow_consumer_closes_total"))
                // name{labels} value, then maybe an exemplar: the value is the first number after the series
                .map(l -> java.util.regex.Pattern.compile("^[^{ ]+(?:\\{[^}]*\\})? (\\S+)").matcher(l))
                .filter(java.util.regex.Matcher::find)
                .mapToDouble(m -> Double.parseDouble(m.group(1))).sum();
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    @Order(20)
    void whenAnInstanceStopsItsClientsGet1012AndResumeOnTheOtherWithoutLossOrDuplicates() {
        String session = newSession("alice");
        String token = cluster.token(tenant, "alice", "user");
        WsClient alice = WsClient.connect(Cluster.ws(cluster.gateway1, sessionPath(session)), token);
        List<JsonNode> received = new ArrayList<>(alice.collect(GatewayIT::isEvent, 1, Duration.ofSeconds(15)));
        Thread poster = Thread.ofPlatform().start(() -> {
            for (int i = 0; i < 30; i++) {
                post(session, "sam", "supporter", "under traffic " + i);
            }
        });
        received.addAll(alice.collect(GatewayIT::isEvent, 5, Duration.ofSeconds(15)));
        long stopping = System.nanoTime();
        cluster.gateway1.stop(); // SIGTERM, then waits for the process to exit
        Duration stopped = Duration.ofNanos(System.nanoTime() - stopping);
        assertTrue(stopped.toSeconds() < 10, "the instance stops well inside Kubernetes' 30 s grace period, took "
                + stopped);
        assertEquals(1012, alice.awaitClose(Duration.ofSeconds(15)));
        // frames that arrived before the close frame
        JsonNode frame;
        while ((frame = alice.frames.poll()) != null) {
            if (isEvent(frame)) {
                received.add(frame);
            }
        }
        long last = received.get(received.size() - 1).get("seq").asLong();
        try (WsClient again = WsClient.connect(Cluster.ws(cluster.gateway2, sessionPath(session) + "?last_seq=" + last),
                token)) {
            try {
                poster.join(30_000);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            received.addAll(again.collect(GatewayIT::isEvent, (int) (31 - last), Duration.ofSeconds(20)));
        }
        assertEquals(LongStream.rangeClosed(1, 31).boxed().toList(), seqs(received),
                "every event exactly once, in order, across the instance stop");
    }
}
