package com.parley.chat.gateway.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.KeyPair;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.eclipse.microprofile.jwt.JsonWebToken;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.parley.chat.gateway.auth.TokenVerifier;
import com.parley.chat.gateway.client.ClientConnection;
import com.parley.chat.gateway.client.SessionSubscription;
import com.parley.chat.gateway.client.SessionSubscription.Present;
import com.parley.chat.gateway.protocol.SessionKey;
import com.parley.chat.gateway.signal.SignalPublisher;
import com.parley.chat.gateway.testing.FakeTransport;
import com.parley.chat.gateway.testing.Fixtures;
import com.parley.infra.DevKeys;
import com.parley.infra.DevTokens;

import io.smallrye.jwt.auth.principal.DefaultJWTParser;
import io.smallrye.jwt.auth.principal.JWTAuthContextInfo;
import io.smallrye.jwt.auth.principal.ParseException;

/** Inbound frames against the limits: every frame counts, whatever its size. */
class InboundFramesTest {

    private final Fixtures fx = new Fixtures("limits.inbound-rate-per-second", "0.001", "limits.inbound-burst", "5",
            "limits.flood-close-after", "10", "limits.max-frame-bytes", "1024");

    private static final KeyPair KEYS = DevKeys.generate();
    private final DevTokens tokens = new DevTokens(KEYS.getPrivate());

    private InboundFrames inbound() {
        InboundFrames inbound = new InboundFrames();
        inbound.frames = fx.frames;
        inbound.config = fx.config;
        JWTAuthContextInfo info = new JWTAuthContextInfo((RSAPublicKey) KEYS.getPublic(), DevTokens.ISSUER);
        info.setExpectedAudience(Set.of(DevTokens.AUDIENCE));
        inbound.verifier = new TokenVerifier(new DefaultJWTParser(info), fx.config);
        return inbound;
    }

    /** A connection of {@code user} in tenant acme, writing to {@code socket}. */
    private ClientConnection connection(String user, String role, FakeTransport socket) {
        return new ClientConnection("c", Fixtures.caller("acme", user, role), socket, fx.context);
    }

    @Test
    void aTokenWithAnotherRoleIsNoRefreshTheConnectionComesBackAdmittedForIt() {
        FakeTransport socket = new FakeTransport();
        ClientConnection staff = connection("sam", "supporter", socket);
        InboundFrames inbound = inbound();
        inbound.handle(staff, "{\"type\":\"auth\",\"token\":\"" + tokens.issue("acme", "sam", "supporter") + "\"}");
        assertEquals(0, socket.closeCode(), "a fresh token of the same role extends the connection");
        inbound.handle(staff, "{\"type\":\"auth\",\"token\":\"" + tokens.issue("acme", "sam", "user") + "\"}");
        assertEquals(4401, socket.closeCode(), "demoted: what it follows must be admitted again");
    }

    @Test
    void aFreshTokenIsAnsweredWithTheUserAndTheMomentTheConnectionNowEnds() throws Exception {
        FakeTransport socket = new FakeTransport();
        ClientConnection staff = connection("sam", "supporter", socket);
        String fresh = tokens.issue("acme", "sam", "supporter", Duration.ofMinutes(30));
        byte[] claims = Base64.getUrlDecoder().decode(fresh.split("\\.")[1]);
        long exp = new ObjectMapper().readTree(claims).path("exp").asLong();

        inbound().handle(staff, "{\"type\":\"auth\",\"token\":\"" + fresh + "\"}");

        assertEquals(List.of("authenticated"), socket.json().stream().map(f -> f.path("type").asText()).toList(),
                "the client learns that the token took");
        JsonNode answer = socket.json().getFirst();
        assertEquals("sam", answer.path("user_id").asText());
        assertEquals("supporter", answer.path("role").asText());
        assertEquals(Instant.ofEpochSecond(exp).plusSeconds(TokenVerifier.DEFAULT_CLOCK_SKEW),
                Instant.parse(answer.path("expires_at").asText()),
                "when the connection is closed with 4401 unless another token comes: exp and the allowed skew");
    }

    @Test
    void aTokenOfAnotherUserIsRefusedAndNothingSaysItWasTaken() {
        FakeTransport socket = new FakeTransport();
        ClientConnection staff = connection("sam", "supporter", socket);

        inbound().handle(staff, "{\"type\":\"auth\",\"token\":\"" + tokens.issue("acme", "ann", "supporter") + "\"}");

        assertEquals(List.of("error"), socket.json().stream().map(f -> f.path("type").asText()).toList());
        assertEquals("invalid_token", socket.json().getFirst().path("code").asText());
    }

    @Test
    void aFrameForAChannelTheConnectionDoesNotFollowIsRefusedNamingThatChannel() {
        FakeTransport socket = new FakeTransport();
        ClientConnection alice = connection("alice", "user", socket);
        InboundFrames inbound = inbound();
        inbound.handle(alice, "{\"type\":\"message\",\"channel\":\"session:s-9\",\"content\":\"hi\","
                + "\"client_message_id\":\"m-1\"}");
        inbound.handle(alice, "{\"type\":\"claim\",\"channel\":\"session:s-8\"}");
        inbound.handle(alice, "{\"type\":\"typing\",\"is_typing\":true}");
        List<JsonNode> errors = socket.json();
        assertEquals(List.of("not_subscribed", "not_subscribed", "not_subscribed"),
                errors.stream().map(e -> e.path("code").asText()).toList());
        assertEquals("session:s-9", errors.get(0).path("channel").asText(), "routed to the channel it named");
        assertEquals("m-1", errors.get(0).path("client_message_id").asText(), "the message it refuses");
        assertEquals("session:s-8", errors.get(1).path("channel").asText());
        assertTrue(errors.get(2).path("channel").isMissingNode(), "no channel named, none made up: " + errors.get(2));
    }

    @Test
    void aReadReceiptBeyondWhatTheConnectionReceivedIsRefused() {
        SessionKey session = new SessionKey("acme", "s");
        fx.history.store(session, 3);
        FakeTransport socket = new FakeTransport();
        ClientConnection alice = connection("alice", "user", socket);
        SessionSubscription subscription = new SessionSubscription(alice, session, 0, fx.context,
                () -> new Present("{}", List.of(), null), true, (x, notFound) -> { });
        alice.add(subscription);
        subscription.start();
        inbound().handle(alice, "{\"type\":\"read\",\"up_to_seq\":99}");
        assertEquals("invalid_read", socket.json().getLast().path("code").asText());
        inbound().handle(alice, "{\"type\":\"read\",\"up_to_seq\":2.5}");
        assertEquals("invalid_read", socket.json().getLast().path("code").asText(), "a seq is a whole number");
    }

    @Test
    void typingOnEveryKeystrokeGoesOutOnceAndAStopOnceAfterIt() {
        Fixtures roomy = new Fixtures(); // the default burst: the keystrokes are not refused as a flood
        SessionKey session = new SessionKey("acme", "s");
        roomy.history.store(session, 1);
        ClientConnection alice = new ClientConnection("c", Fixtures.caller("acme", "alice", "user"),
                new FakeTransport(), roomy.context);
        SessionSubscription subscription = new SessionSubscription(alice, session, 0, roomy.context,
                () -> new Present("{}", List.of(), null), true, (x, notFound) -> { });
        alice.add(subscription);
        subscription.start();
        List<String> published = new ArrayList<>();
        InboundFrames inbound = new InboundFrames();
        inbound.frames = roomy.frames;
        inbound.config = roomy.config;
        inbound.signals = new SignalPublisher(roomy.frames, roomy.config) {
            @Override
            public void publish(SessionKey key, ObjectNode signal) {
                published.add(signal.path("type").asText() + ":" + signal.path("is_typing").asBoolean());
            }
        };

        for (int key = 0; key < 8; key++) {
            inbound.handle(alice, "{\"type\":\"typing\",\"is_typing\":true}");
        }
        inbound.handle(alice, "{\"type\":\"typing\",\"is_typing\":false}");
        inbound.handle(alice, "{\"type\":\"typing\",\"is_typing\":false}");
        inbound.handle(alice, "{\"type\":\"typing\",\"is_typing\":true}");

        assertEquals(List.of("typing:true", "typing:false", "typing:true"), published,
                "a repeat says nothing new to the others; a change always goes out");
    }

    /** What a supporter's connection answers to each of {@code frames}, one after the other. */
    private List<JsonNode> answers(List<String> frames) {
        FakeTransport socket = new FakeTransport();
        ClientConnection sam = connection("sam", "supporter", socket);
        InboundFrames inbound = inbound();
        List<JsonNode> answers = new ArrayList<>();
        for (String frame : frames) {
            inbound.handle(sam, frame);
            answers.add(socket.json().getLast());
        }
        return answers;
    }

    @Test
    void aFrameHoldingTwoObjectsIsRefusedNotCutAfterTheFirst() {
        // two frames run together in one (a client's bug): acting on the first and dropping the second
        // without a word would lose it
        List<JsonNode> answers = answers(List.of("{\"type\":\"ping\"}{\"type\":\"status\",\"status\":\"away\"}",
                "{\"type\":\"ping\"} \n"));
        assertEquals("malformed_frame", answers.get(0).path("code").asText(), answers.get(0).toString());
        assertEquals("A frame holds one JSON object; this one holds more.", answers.get(0).path("message").asText());
        assertEquals("pong", answers.get(1).path("type").asText(), "white space after it is no second object");
    }

    @Test
    void aFrameNamingAFieldTwiceIsRefusedNamingItNotActedOnAtTheLastValue() {
        List<JsonNode> answers = answers(List.of("{\"type\":\"ping\",\"type\":\"status\",\"status\":\"away\"}",
                "{\"type\":\"status\",\"status\":\"away\",\"status\":\"available\"}", "{\"type\":\"ping\"}"));
        assertEquals("malformed_frame", answers.get(0).path("code").asText(), answers.get(0).toString());
        assertTrue(answers.get(0).path("message").asText().contains("'type' more than once"),
                answers.get(0).toString());
        assertEquals("malformed_frame", answers.get(1).path("code").asText(), answers.get(1).toString());
        assertTrue(answers.get(1).path("message").asText().contains("'status'"), answers.get(1).toString());
        assertEquals("pong", answers.get(2).path("type").asText(), "the connection goes on");
    }

    @Test
    void aLastSeqThatIsNoWholeNumberIsRefusedNotRoundedOrRead() {
        List<String> lastSeqs = List.of("1.5", "\"5\"", "-3", "true", "{}");
        List<JsonNode> answers = answers(lastSeqs.stream()
                .map(lastSeq -> "{\"type\":\"subscribe\",\"channel\":\"session:s\",\"last_seq\":" + lastSeq + "}").toList());
        for (int i = 0; i < lastSeqs.size(); i++) {
            assertEquals("invalid_subscribe", answers.get(i).path("code").asText(), lastSeqs.get(i));
        }
    }

    @Test
    void aDashboardsSessionsToReplayAreRefusedWhenAnyEntryIsMalformedNotSilentlyStartedLive() {
        String id = "0b7c8d52-6a39-4a4e-9b8f-3f1c2d4e5a6b";
        List<String> malformed = List.of("{\"no such id!\":4}", "{\"" + id + "\":1.5}",
                "{\"" + id + "\":\"4\"}", "[\"" + id + "\"]", "{\"" + id + "\":-1}");
        List<JsonNode> answers = answers(malformed.stream()
                .map(sessions -> "{\"type\":\"subscribe\",\"channel\":\"dashboard\",\"sessions\":" + sessions + "}").toList());
        for (int i = 0; i < malformed.size(); i++) {
            assertEquals("invalid_subscribe", answers.get(i).path("code").asText(), malformed.get(i));
            assertEquals("dashboard", answers.get(i).path("channel").asText(), malformed.get(i));
        }
    }

    @Test
    void framesBetweenTheSoftAndTheHardCapTakeATokenTooAndAFloodOfThemIsClosed() {
        FakeTransport socket = new FakeTransport();
        ClientConnection client = connection("mallory", "user", socket);
        InboundFrames inbound = inbound();
        String large = "{\"type\":\"ping\",\"pad\":\"" + "x".repeat(4000) + "\"}"; // over the soft cap
        for (int i = 0; i < 40 && socket.closeCode() == 0; i++) {
            inbound.handle(client, large);
        }
        List<String> codes = socket.json().stream().map(f -> f.path("code").asText()).toList();
        assertEquals(List.of("frame_too_large", "frame_too_large", "frame_too_large", "frame_too_large",
                "frame_too_large"), codes.subList(0, 5), "the burst");
        assertTrue(codes.subList(5, codes.size()).stream().allMatch("rate_limited"::equals), codes.toString());
        assertEquals(1008, socket.closeCode(), "a flood of large frames is closed like any flood");
    }

    @Test
    void aSteadyFloodThatGetsAFrameThroughNowAndThenIsClosedToo() throws Exception {
        // 20 frames a second allowed: a client sending some 400 a second gets one through every 50 ms;
        // counted "in a row", its refusals started over at each of them and it was never closed,
        // while the gateway answered each refused frame with an error frame
        Fixtures steady = new Fixtures("limits.inbound-rate-per-second", "20", "limits.inbound-burst", "5",
                "limits.flood-close-after", "30");
        InboundFrames inbound = new InboundFrames();
        inbound.frames = steady.frames;
        inbound.config = steady.config;
        FakeTransport socket = new FakeTransport();
        ClientConnection client = new ClientConnection("c", Fixtures.caller("acme", "mallory", "user"), socket,
                steady.context);
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        int sent = 0;
        while (socket.closeCode() == 0 && System.nanoTime() < end) {
            inbound.handle(client, "{\"type\":\"ping\"}");
            sent++;
            Thread.sleep(2);
        }
        assertEquals(1008, socket.closeCode(), "still open after " + sent + " frames: " + socket.types().stream()
                .collect(java.util.stream.Collectors.groupingBy(t -> t, java.util.stream.Collectors.counting())));
    }

    @Test
    void aRefreshThatMayFetchTheIdentityProvidersKeysIsVerifiedOffTheConnectionsThread() throws Exception {
        JWTAuthContextInfo info = new JWTAuthContextInfo((RSAPublicKey) KEYS.getPublic(), DevTokens.ISSUER);
        info.setExpectedAudience(Set.of(DevTokens.AUDIENCE));
        CompletableFuture<Thread> verifiedOn = new CompletableFuture<>();
        DefaultJWTParser recording = new DefaultJWTParser(info) {
            @Override
            public JsonWebToken parse(String token) throws ParseException {
                verifiedOn.complete(Thread.currentThread());
                return super.parse(token);
            }
        };
        InboundFrames inbound = inbound();
        inbound.verifier = new TokenVerifier(recording, fx.config, Optional.of("https://id.example/realms/acme/certs"),
                TokenVerifier.DEFAULT_CLOCK_SKEW);
        FakeTransport socket = new FakeTransport();
        ClientConnection staff = connection("sam", "supporter", socket);
        String fresh = tokens.issue("acme", "sam", "supporter");

        inbound.handle(staff, "{\"type\":\"auth\",\"token\":\"" + fresh + "\"}");

        assertNotSame(Thread.currentThread(), verifiedOn.get(10, TimeUnit.SECONDS),
                "keys from a JWKS URL may be fetched while verifying: not on the connection's event loop");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!fresh.equals(staff.caller().rawToken()) && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(fresh, staff.caller().rawToken(), "the refresh still applies");
        assertEquals(0, socket.closeCode());
    }
}
