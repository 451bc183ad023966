package com.parley.chat.gateway.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.parley.chat.gateway.admission.AccessAuthority;
import com.parley.chat.gateway.admission.AccessAuthority.Verdict;
import com.parley.chat.gateway.admission.SessionAccess;
import com.parley.chat.gateway.admission.SessionAdmission;
import com.parley.chat.gateway.auth.SubscriptionTokenVerifier;
import com.parley.chat.gateway.client.ClientConnection;
import com.parley.chat.gateway.hub.SessionHub;
import com.parley.chat.gateway.presence.OperatorRoster;
import com.parley.chat.gateway.presence.PresenceTracker;
import com.parley.chat.gateway.presence.Typists;
import com.parley.chat.gateway.stats.FiguresSource;
import com.parley.chat.gateway.stats.TenantStats;
import com.parley.chat.gateway.protocol.EventFrame;
import com.parley.chat.gateway.protocol.SessionKey;
import com.parley.chat.gateway.signal.SignalPublisher;
import com.parley.chat.gateway.testing.FakeTransport;
import com.parley.chat.gateway.testing.Fixtures;

import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;

/** Subscribing on one connection, with chat-api replaced by an authority that counts its questions. */
class SubscriptionsTest {

    private final Fixtures fx = new Fixtures("limits.subscriptions-per-connection", "3");
    private final Vertx vertx = Vertx.vertx();
    private final SessionHub hub = new SessionHub(fx.config, fx.metrics);
    private final AtomicInteger questions = new AtomicInteger();
    private volatile Verdict answer = Verdict.ALLOWED;
    private volatile CompletableFuture<Verdict> slowAnswer; // chat-api taking its time, when set
    private final Typists typists = new Typists();
    private final Subscriptions subscriptions;

    SubscriptionsTest() {
        SignalPublisher quiet = new SignalPublisher(fx.frames, fx.config) {
            @Override
            public void publish(SessionKey session, ObjectNode signal) {
            }
        };
        PresenceTracker presence = new PresenceTracker(hub, quiet, fx.frames, fx.config, vertx);
        AccessAuthority chatApi = (caller, sessionId) -> {
            questions.incrementAndGet();
            CompletableFuture<Verdict> slow = slowAnswer;
            return slow != null ? Uni.createFrom().completionStage(slow) : Uni.createFrom().item(answer);
        };
        SessionAdmission admission = new SessionAdmission(new SubscriptionTokenVerifier(null, "x", 10),
                new SessionAccess(chatApi, fx.config), fx.metrics);
        OperatorRoster operators = new OperatorRoster(quiet, fx.frames, fx.config,
                staff -> Uni.createFrom().item(Map.of()));
        TenantStats stats = new TenantStats(hub, operators, quiet, fx.frames, fx.config,
                admin -> Uni.createFrom().item(new FiguresSource.SessionFigures(0, 0, null, 0, 0)));
        subscriptions = new Subscriptions(hub, presence, typists, fx.context, admission, operators, stats);
    }

    @AfterEach
    void close() {
        vertx.close();
    }

    private static JsonNode await(FakeTransport transport, String type, String channel) {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (System.nanoTime() < deadline) {
            for (JsonNode frame : transport.json()) {
                if (type.equals(frame.path("type").asText()) && (channel == null
                        || channel.equals(frame.path("channel").asText()))) {
                    return frame;
                }
            }
            Thread.onSpinWait();
        }
        throw new AssertionError("no " + type + " for " + channel + " in " + transport.frames());
    }

    @Test
    void aSubscriberIsToldWhoIsTypingRightAfterThePresenceNotOnlyAtTheTypistsNextRefresh() {
        // an agent opening a chat while the customer typed saw nothing until the customer's next "typing" (5 s)
        SessionKey session = new SessionKey("acme", "a");
        fx.history.store(session, 1);
        String alice = "{\"type\":\"typing_indicator\",\"channel\":\"session:a\",\"user_id\":\"alice\","
                + "\"is_typing\":true}";
        typists.typing(session, "alice", true, alice);
        typists.typing(session, "bob", true, alice.replace("alice", "bob"));
        typists.typing(session, "bob", false, null); // bob stopped
        FakeTransport socket = new FakeTransport();
        ClientConnection staff = subscriptions.open("c-1", Fixtures.caller("acme", "sam", "supporter"), socket);
        subscriptions.subscribe(staff, "session:a", 1, null);
        await(socket, "typing_indicator", "session:a");
        List<String> types = socket.types();
        assertEquals(List.of("connected", "subscribed", "presence", "typing_indicator"), types);
        assertEquals("alice", socket.json().getLast().path("user_id").asText());
    }

    @Test
    void anAdminsFirstFiguresCountTheConnectionsOnThisInstanceAsTheyAreNow() {
        // the count came from the instances' announcements (every 5 s): an admin who had just
        // connected read "connections: 0", their own socket not counted yet
        subscriptions.open("c-0", Fixtures.caller("acme", "alice", "user"), new FakeTransport());
        FakeTransport socket = new FakeTransport();
        ClientConnection admin = subscriptions.open("c-1", Fixtures.caller("acme", "ann", "admin"), socket);
        subscriptions.open("c-2", Fixtures.caller("other", "olga", "user"), new FakeTransport());
        subscriptions.subscribe(admin, "stats", 0, null);
        assertEquals(2, await(socket, "tenant_stats", "stats").path("connections").asInt(),
                "alice's and ann's sockets, not the other tenant's");
    }

    @Test
    void aReceiveOnlyStreamIsToldOnlyTheLimitsThatConcernIt() {
        FakeTransport socket = new FakeTransport();
        subscriptions.open("c-1", Fixtures.caller("acme", "sam", "supporter"), socket);
        List<String> socketLimits = new java.util.ArrayList<>();
        socket.json().getFirst().path("limits").fieldNames().forEachRemaining(socketLimits::add);
        assertEquals(List.of("subscriptions", "inbound_rate", "inbound_burst", "max_frame_bytes", "dashboard_sessions"),
                socketLimits, "a socket sends frames: every limit on them");

        FakeTransport stream = new FakeTransport().kind("sse");
        subscriptions.open("c-2", Fixtures.caller("acme", "sam", "supporter"), stream);
        List<String> streamLimits = new java.util.ArrayList<>();
        stream.json().getFirst().path("limits").fieldNames().forEachRemaining(streamLimits::add);
        assertEquals(List.of("subscriptions"), streamLimits, "an event stream sends nothing: how many channels it holds");
    }

    @Test
    void staffFollowSeveralSessionsAndTheDashboardOnOneConnectionWithoutAskingChatApi() {
        FakeTransport socket = new FakeTransport();
        ClientConnection staff = subscriptions.open("c-1", Fixtures.caller("acme", "sam", "supporter"), socket);
        assertEquals("connected", socket.types().getFirst());
        for (String id : List.of("a", "b")) {
            fx.history.store(new SessionKey("acme", id), 2);
            subscriptions.subscribe(staff, "session:" + id, 1, null);
        }
        subscriptions.subscribe(staff, "dashboard", 0, null);
        assertEquals(2, await(socket, "subscribed", "session:a").path("last_seq").asLong());
        await(socket, "subscribed", "session:b");
        await(socket, "subscribed", "dashboard");
        assertEquals(0, questions.get());

        hub.publish(fx.event(new SessionKey("acme", "a"), 3));
        List<String> events = socket.json().stream().filter(f -> f.has("seq"))
                .map(f -> f.path("channel").asText() + "#" + f.path("seq").asLong()).toList();
        assertEquals(List.of("session:a#2", "session:b#2", "session:a#3", "dashboard#3"), events,
                "each session resumed after seq 1, then the live event on both channels");
    }

    @Test
    void aCustomerWithoutASubscriptionTokenIsAdmittedByChatApiOnceAndRefusedWhatIsNotTheirs() {
        FakeTransport socket = new FakeTransport();
        ClientConnection alice = subscriptions.open("c-1", Fixtures.caller("acme", "alice", "user"), socket);
        fx.history.store(new SessionKey("acme", "mine"), 1);
        subscriptions.subscribe(alice, "session:mine", 0, null);
        await(socket, "subscribed", "session:mine");
        assertEquals(1, questions.get());

        answer = Verdict.NOT_FOUND;
        subscriptions.subscribe(alice, "session:theirs", 0, null);
        assertEquals("not_found", await(socket, "error", "session:theirs").path("code").asText());
        subscriptions.subscribe(alice, "dashboard", 0, null);
        assertEquals("forbidden", await(socket, "error", "dashboard").path("code").asText());
        subscriptions.subscribe(alice, "teleport", 0, null);
        assertEquals("not_found", await(socket, "error", "teleport").path("code").asText());
        assertEquals(0, socket.closeCode(), "a refused subscription leaves the connection open");
    }

    @Test
    void whileChatApiIsAskedTheLastSubscribeOrUnsubscribeOfAChannelDecides() {
        FakeTransport socket = new FakeTransport();
        ClientConnection alice = subscriptions.open("c-1", Fixtures.caller("acme", "alice", "user"), socket);
        fx.history.store(new SessionKey("acme", "mine"), 2);
        slowAnswer = new CompletableFuture<>();
        subscriptions.subscribe(alice, "session:mine", 0, null);
        subscriptions.subscribe(alice, "session:mine", 1, null); // again, from another seq: this one counts
        slowAnswer.complete(Verdict.ALLOWED);
        assertEquals(1, await(socket, "subscribed", "session:mine").path("resume_from").asLong());
        assertEquals(List.of("subscribed"), socket.json().stream()
                .filter(f -> "session:mine".equals(f.path("channel").asText()))
                .map(f -> f.path("type").asText()).filter(t -> t.matches("subscribed|error")).toList(),
                "one subscription, no 'limit' for the first frame's late answer");

        slowAnswer = new CompletableFuture<>();
        fx.history.store(new SessionKey("acme", "other"), 1);
        subscriptions.subscribe(alice, "session:other", 0, null);
        subscriptions.unsubscribe(alice, "session:other");
        await(socket, "unsubscribed", "session:other");
        slowAnswer.complete(Verdict.ALLOWED);
        assertEquals(null, alice.subscription("session:other"), "left before it was admitted: nothing starts");
        assertTrue(socket.json().stream().noneMatch(f -> "subscribed".equals(f.path("type").asText())
                && "session:other".equals(f.path("channel").asText())));
    }

    @Test
    void aLiveChannelWhoseGapCannotBeReadFromHistoryEndsAndSaysToSubscribeAgain() {
        // chat-api away while the live stream skipped events: the subscription ended with an error
        // the client took for a refusal of a subscription it no longer had, and it heard nothing more
        SessionKey session = new SessionKey("acme", "a");
        fx.history.store(session, 2);
        FakeTransport socket = new FakeTransport();
        ClientConnection staff = subscriptions.open("c-1", Fixtures.caller("acme", "sam", "supporter"), socket);
        subscriptions.subscribe(staff, "session:a", 0, null);
        await(socket, "subscribed", "session:a");
        fx.history.override = afterSeq -> Uni.createFrom().failure(new IllegalStateException("chat-api away"));
        hub.publish(fx.event(session, 5)); // 3 and 4 skipped: the gap is read from history, which fails

        JsonNode error = await(socket, "error", "session:a");
        assertEquals("unavailable", error.path("code").asText());
        assertTrue(error.path("resubscribe").asBoolean(), "the client is told to subscribe again: " + error);
        assertEquals(null, staff.subscription("session:a"), "the subscription is gone, as the error says");
        assertEquals(0, socket.closeCode(), "the connection and its other channels go on");

        fx.history.override = null;
        fx.history.store(session, 5);
        subscriptions.subscribe(staff, "session:a", 2, null);
        await(socket, "subscribed", "session:a");
        assertEquals(List.of(3L, 4L, 5L), socket.json().stream().filter(f -> f.has("seq"))
                .map(f -> f.path("seq").asLong()).filter(seq -> seq > 2).toList(), "subscribed again: the gap, once");
    }

    @Test
    void anEventOfATypeThisGatewayDoesNotKnowKeepsItsPlaceAndTheChatGoesOn() {
        // a newer chat-api (a rolling upgrade) emits a type this gateway has never heard of: it was
        // dropped, its seq was a gap history could not fill, and the chat stalled
        SessionKey session = new SessionKey("acme", "a");
        fx.history.store(session, 1);
        // what the gateway reads of it, in history and on the topic alike (what it cannot read, it skips)
        Optional.ofNullable(unknownEvent(session, 2)).ifPresent(fx.history.stored::add);
        fx.history.stored.add(fx.event(session, 3));
        FakeTransport socket = new FakeTransport();
        ClientConnection alice = subscriptions.open("c-1", Fixtures.caller("acme", "alice", "user"), socket);
        subscriptions.subscribe(alice, "session:a", 0, null);
        await(socket, "subscribed", "session:a");
        hub.publish(fx.event(session, 4));
        Optional.ofNullable(unknownEvent(session, 5)).ifPresent(e -> hub.publish(e)); // live, too
        hub.publish(fx.event(session, 6));
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (seqs(socket).size() < 6 && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L), seqs(socket), "every seq once, in order");
        JsonNode other = socket.json().stream().filter(f -> f.path("seq").asLong() == 2).findFirst().orElseThrow();
        assertEquals("other_event", other.path("type").asText());
        assertEquals("SessionTagged", other.path("event_type").asText());
        assertTrue(other.path("note").isMissingNode(), "only its envelope: nothing meant for staff reaches a customer");
        assertEquals(1, fx.history.requests.size(), "read from history once, not asked again and again");
    }

    private EventFrame unknownEvent(SessionKey session, long seq) {
        return fx.frames.fromEvent(fx.frames.parse("{\"type\":\"SessionTagged\",\"event_id\":\"e-" + seq
                + "\",\"tenant_id\":\"" + session.tenantId() + "\",\"session_id\":\"" + session.sessionId()
                + "\",\"seq\":" + seq + ",\"occurred_at\":\"2026-12-06T12:00:00Z\",\"note\":\"staff only\"}"));
    }

    private static void awaitClosed(FakeTransport transport) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (transport.closeCode() == 0 && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
    }

    private static List<Long> seqs(FakeTransport socket) {
        return socket.json().stream().filter(f -> f.has("seq")).map(f -> f.path("seq").asLong()).toList();
    }

    @Test
    void anEventStreamWhoseGapCannotBeReadFromHistoryClosesSoThatItComesBackWithItsPositions() {
        SessionKey session = new SessionKey("acme", "a");
        fx.history.store(session, 2);
        FakeTransport stream = new FakeTransport().kind("sse");
        ClientConnection staff = subscriptions.open("c-1", Fixtures.caller("acme", "sam", "supporter"), stream);
        subscriptions.subscribe(staff, "session:a", 0, null);
        await(stream, "subscribed", "session:a");
        fx.history.override = afterSeq -> Uni.createFrom().failure(new IllegalStateException("chat-api away"));
        hub.publish(fx.event(session, 5));
        awaitClosed(stream);
        assertEquals(1013, stream.closeCode(), "a stream cannot subscribe again: it ends, and EventSource reconnects");
    }

    @Test
    void anEventStreamWhoseChannelCouldNotBeAdmittedRightNowEndsRatherThanGoOnWithoutIt() {
        // a customer's stream without chat-api's token while chat-api is away: the stream went on
        // without that chat, and its browser had no way to ask for it again
        answer = Verdict.UNAVAILABLE;
        FakeTransport stream = new FakeTransport().kind("sse");
        ClientConnection alice = subscriptions.open("c-1", Fixtures.caller("acme", "alice", "user"), stream);
        subscriptions.subscribe(alice, "session:mine", 0, null);
        awaitClosed(stream);
        assertEquals(1013, stream.closeCode(), "ended: EventSource comes back and the channel is asked for again");

        FakeTransport socket = new FakeTransport();
        ClientConnection tab = subscriptions.open("c-2", Fixtures.caller("acme", "alice", "user"), socket);
        subscriptions.subscribe(tab, "session:mine", 0, null);
        JsonNode error = await(socket, "error", "session:mine");
        assertTrue(error.path("resubscribe").asBoolean(), "a socket subscribes again by itself: " + error);
        assertEquals(0, socket.closeCode());
    }

    @Test
    void theFourthSubscriptionIsRefusedWithLimitAndUnsubscribingStopsTheEvents() {
        FakeTransport socket = new FakeTransport();
        ClientConnection staff = subscriptions.open("c-1", Fixtures.caller("acme", "sam", "supporter"), socket);
        for (String id : List.of("a", "b", "c", "d")) {
            subscriptions.subscribe(staff, "session:" + id, 0, null);
        }
        assertEquals("limit", await(socket, "error", "session:d").path("code").asText());

        subscriptions.unsubscribe(staff, "session:a");
        await(socket, "unsubscribed", "session:a");
        hub.publish(fx.event(new SessionKey("acme", "a"), 1));
        hub.publish(fx.event(new SessionKey("acme", "b"), 1));
        assertEquals(List.of("session:b"), socket.json().stream().filter(f -> f.has("seq"))
                .map(f -> f.path("channel").asText()).toList());
        subscriptions.subscribe(staff, "session:d", 0, null);
        assertNotNull(await(socket, "subscribed", "session:d"), "the freed slot is free again");
    }

    @Test
    void aDashboardThatComesBackIsReplayedPerSessionFromTheSeqsItNames() {
        SessionKey a = new SessionKey("acme", "a");
        SessionKey b = new SessionKey("acme", "b");
        fx.history.store(a, 4);
        fx.history.store(b, 3);
        FakeTransport socket = new FakeTransport();
        ClientConnection staff = subscriptions.open("c-1", Fixtures.caller("acme", "sam", "supporter"), socket);
        subscriptions.subscribe(staff, "dashboard", 0, null, java.util.Map.of("a", 2L, "b", 3L));
        assertEquals(2, await(socket, "subscribed", "dashboard").path("replaying").asInt());
        hub.publish(fx.event(a, 4)); // live, while a's replay may still run: once, in order
        hub.publish(fx.event(a, 5));
        hub.publish(fx.event(b, 4));
        hub.publish(fx.event(new SessionKey("acme", "c"), 7)); // not named: from its next live event
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        List<String> events;
        do {
            events = socket.json().stream().filter(f -> f.has("seq"))
                    .map(f -> f.path("session_id").asText() + "#" + f.path("seq").asLong()).toList();
        } while (events.size() < 5 && System.nanoTime() < deadline);
        assertEquals(List.of("a#3", "a#4", "a#5"), events.stream().filter(e -> e.startsWith("a#")).toList());
        assertEquals(List.of("b#4"), events.stream().filter(e -> e.startsWith("b#")).toList());
        assertEquals(List.of("c#7"), events.stream().filter(e -> e.startsWith("c#")).toList());
        assertTrue(socket.json().stream().filter(f -> f.has("seq"))
                .allMatch(f -> "dashboard".equals(f.path("channel").asText())));
    }

    @Test
    void aSessionThatDoesNotExistEndsItsSubscriptionWithNotFound() {
        fx.history.override = after -> Uni.createFrom().failure(new com.parley.chat.gateway.recovery.HistorySource
                .NotFound("404"));
        FakeTransport socket = new FakeTransport();
        ClientConnection staff = subscriptions.open("c-1", Fixtures.caller("acme", "sam", "supporter"), socket);
        subscriptions.subscribe(staff, "session:gone", 0, null);
        assertEquals("not_found", await(socket, "error", "session:gone").path("code").asText());
        assertTrue(hub.localSessions().isEmpty());
        assertEquals(0, socket.closeCode());
    }
}
