package com.parley.chat.gateway.presence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.parley.chat.gateway.auth.Caller;
import com.parley.chat.gateway.client.ClientConnection;
import com.parley.chat.gateway.client.SessionSubscription;
import com.parley.chat.gateway.client.SessionSubscription.Present;
import com.parley.chat.gateway.hub.SessionHub;
import com.parley.chat.gateway.protocol.SessionKey;
import com.parley.chat.gateway.signal.SignalPublisher;
import com.parley.chat.gateway.testing.FakeTransport;
import com.parley.chat.gateway.testing.Fixtures;

import io.vertx.core.Vertx;

/**
 * Presence across instances with the signal topic replaced by a loop back: what this instance
 * announces comes back to it, as Kafka would bring it, and a test plays the other instances.
 */
class PresenceTrackerTest {

    private final Fixtures fx = new Fixtures("presence.ttl", "0.2S", "presence.coalesce", "0.01S",
            "instance-id", "here");
    private final Vertx vertx = Vertx.vertx();
    private final SessionHub hub = new SessionHub(fx.config, fx.metrics);
    private final List<String> announced = new ArrayList<>();
    private final SessionKey session = new SessionKey("acme", "s-1");
    private PresenceTracker tracker;

    private final SignalPublisher loopBack = new SignalPublisher(fx.frames, fx.config) {
        @Override
        public void publish(SessionKey key, ObjectNode signal) {
            synchronized (announced) {
                announced.add(signal.toString());
            }
            tracker.onAnnouncement(key, signal);
        }
    };

    PresenceTrackerTest() {
        tracker = new PresenceTracker(hub, loopBack, fx.frames, fx.config, vertx);
    }

    @AfterEach
    void close() {
        vertx.close();
    }

    private FakeTransport join(String user, String role) {
        return subscribe(user, role).transport;
    }

    private record Tab(FakeTransport transport, SessionSubscription subscription) {
    }

    private Tab subscribe(String user, String role) {
        return subscribe(user, role, true);
    }

    /** @param greeted the subscription's replay has begun with its greeting (subscribed, presence) */
    private Tab subscribe(String user, String role, boolean greeted) {
        return subscribe(Fixtures.caller("acme", user, role), greeted);
    }

    private Tab subscribe(Caller caller, boolean greeted) {
        String user = caller.userId();
        FakeTransport transport = new FakeTransport();
        ClientConnection connection = new ClientConnection("c-" + user + System.nanoTime(),
                caller, transport, fx.context);
        hub.register(connection);
        SessionSubscription subscription = new SessionSubscription(connection, session, 0, fx.context,
                () -> new Present(tracker.currentFrame(session), List.of(), null), false, (s, notFound) -> { });
        connection.add(subscription);
        hub.subscribe(subscription);
        if (greeted) {
            subscription.started(0, 0);
        }
        tracker.joined(session, connection.caller());
        return new Tab(transport, subscription);
    }

    private void leave(Tab tab) {
        hub.unsubscribe(tab.subscription);
        hub.unregister(tab.subscription.connection());
        tracker.localChange(session);
    }

    /** Another instance's announcement that one participant is in the session. */
    private ObjectNode announcement(String instance, String sessionId, String user, String role) {
        ObjectNode remote = fx.frames.frame("presence").put("tenant_id", "acme").put("session_id", sessionId)
                .put("instance_id", instance);
        remote.putArray("participants").addObject().put("user_id", user).put("role", role);
        return remote;
    }

    private static List<String> users(JsonNode presence) {
        if (presence == null) {
            return null;
        }
        List<String> users = new ArrayList<>();
        presence.path("participants").forEach(p -> users.add(p.path("user_id").asText() + "/" + p.path("role").asText()));
        return users;
    }

    private static JsonNode lastPresence(FakeTransport transport) {
        List<JsonNode> frames = transport.json().stream().filter(f -> "presence".equals(f.path("type").asText()))
                .toList();
        return frames.isEmpty() ? null : frames.getLast();
    }

    private static void await(Runnable assertion) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (true) {
            try {
                assertion.run();
                return;
            } catch (AssertionError e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(5);
            }
        }
    }

    @Test
    void aParticipantIsShownWithTheNameTheirTokenGivesOnEveryInstance() throws InterruptedException {
        // the widget said "f81d4fae-… from support joined the chat" with an identity provider whose
        // user ids are opaque; the name claim is what people are called
        FakeTransport customer = join("alice", "user");
        Caller sam = new Caller("acme", "f81d4fae-7dec", "supporter", Instant.now().plusSeconds(3600), "t", "Sam Smith");
        subscribe(sam, true);
        await(() -> {
            JsonNode presence = lastPresence(customer);
            assertEquals(List.of("alice/user", "f81d4fae-7dec/supporter"), users(presence));
            assertEquals("Sam Smith", presence.path("participants").get(1).path("name").asText());
            assertTrue(presence.path("participants").get(0).path("name").isMissingNode(), "alice's token has no name");
        });
        // what this instance announced carries the name to the others
        synchronized (announced) {
            assertTrue(announced.getLast().contains("\"name\":\"Sam Smith\""), announced.getLast());
        }
        ObjectNode remote = announcement("there", "s-1", "b2c3", "admin");
        ((ObjectNode) remote.path("participants").get(0)).put("name", "Ann Admin");
        tracker.onAnnouncement(session, remote);
        await(() -> assertEquals("Ann Admin", lastPresence(customer).path("participants").get(1).path("name").asText()));
    }

    @Test
    void joinsWithinTheCoalescingWindowAreAnnouncedOnceAndAUserWithTwoTabsIsOneParticipant() throws Exception {
        FakeTransport tab1 = join("alice", "user");
        join("alice", "user");
        FakeTransport staff = join("sam", "supporter");
        await(() -> assertEquals(List.of("alice/user", "sam/supporter"), users(lastPresence(tab1))));
        assertEquals(List.of("alice/user", "sam/supporter"), users(lastPresence(staff)));
        assertEquals(1, announced.size(), "three joins, one announcement");
    }

    @Test
    void joinsThatChangeNobodysPresenceAnnounceNothingButThePeriodicAnnouncementStillGoesOut() throws Exception {
        FakeTransport first = join("alice", "user");
        assertEquals(List.of("alice/user"), users(lastPresence(first)));
        await(() -> assertEquals(1, announced.size()));
        for (int i = 0; i < 4; i++) { // alice's other tabs (5 per user), in later coalescing windows
            join("alice", "user");
            Thread.sleep(15);
        }
        Thread.sleep(50);
        assertEquals(1, announced.size(), "alice was already here: no signal for her other sockets");

        FakeTransport sam = join("sam", "supporter");
        await(() -> assertEquals(List.of("alice/user", "sam/supporter"), users(lastPresence(first))));
        assertEquals(List.of("alice/user", "sam/supporter"), users(lastPresence(sam)));
        assertEquals(2, announced.size(), "sam's arrival is news");

        tracker.announceAndExpire();
        assertEquals(3, announced.size(), "the periodic announcement keeps the other instances' TTL fresh");
    }

    @Test
    void aUserWhoLeavesAndComesBackWithinOneWindowIsStillPresentAndOneWhoLeavesIsGone() throws Exception {
        Tab alice = subscribe("alice", "user");
        FakeTransport sam = join("sam", "supporter");
        await(() -> assertEquals(List.of("alice/user", "sam/supporter"), users(lastPresence(sam))));

        leave(alice); // her only tab: a change is pending when she comes back
        join("alice", "user");
        Thread.sleep(50);
        assertEquals(List.of("alice/user", "sam/supporter"), users(lastPresence(sam)));

        leave(subscribe("bob", "user")); // in and out again within one window: nothing to tell
        Thread.sleep(50);
        assertEquals(List.of("alice/user", "sam/supporter"), users(lastPresence(sam)));

        join("alice", "user"); // a second tab of alice, then both leave
        await(() -> assertEquals(List.of("alice/user", "sam/supporter"), users(lastPresence(sam))));
        hub.sessionSubscriptions(session).stream().filter(s -> s.connection().caller().userId().equals("alice"))
                .forEach(s -> leave(new Tab(null, s)));
        await(() -> assertEquals(List.of("sam/supporter"), users(lastPresence(sam))));
    }

    @Test
    void aSubscribersFirstPresenceHasItInItWithEveryoneElseBeforeItsJoinIsAnnounced() throws Exception {
        FakeTransport alice = join("alice", "user");
        await(() -> assertEquals(List.of("alice/user"), users(lastPresence(alice))));
        tracker.onAnnouncement(session, announcement("elsewhere", "s-1", "bea", "supporter"));

        Tab sam = subscribe("sam", "supporter"); // its own join goes out after the coalescing window
        assertEquals(List.of("alice/user", "bea/supporter", "sam/supporter"),
                users(FakeTransport.parse(tracker.currentFrame(session))), "the greeting's presence left the subscriber out");

        leave(sam); // a leave not yet announced is not in the next greeting either
        assertEquals(List.of("alice/user", "bea/supporter"), users(FakeTransport.parse(tracker.currentFrame(session))));
    }

    @Test
    void aSubscriberIsNotToldTheSameListTwice() throws Exception {
        FakeTransport alice = join("alice", "user");
        await(() -> assertEquals(List.of("alice/user"), users(lastPresence(alice))));
        Tab sam = subscribe("sam", "supporter"); // greeted: subscribed, then the presence with sam in it
        await(() -> assertEquals(List.of("alice/user", "sam/supporter"), users(lastPresence(alice))));
        Thread.sleep(50);
        assertEquals(List.of(List.of("alice/user", "sam/supporter")), presences(sam.transport),
                "sam's own join, announced after his greeting, told him again who was there");
        assertEquals(List.of(List.of("alice/user"), List.of("alice/user", "sam/supporter")), presences(alice));
    }

    @Test
    void everySubscriberOfASessionHoldsOneSharedPresenceFrameNotACopyEach() throws Exception {
        // a socket keeps the presence it was given last (to tell news from repeats): with twenty
        // people in a chat that is a kilobyte, which must be one string for all, not one per socket
        FakeTransport alice = join("alice", "user");
        join("sam", "supporter");
        await(() -> assertEquals(List.of("alice/user", "sam/supporter"), users(lastPresence(alice)))); // pushed
        String greeting = tracker.currentFrame(session);
        assertSame(greeting, tracker.currentFrame(session), "each greeting built its own copy");
        Tab other = subscribe("alice", "user"); // another tab: nobody new, the same list
        assertSame(greeting, tracker.currentFrame(session));
        assertEquals(List.of("alice/user", "sam/supporter"), users(lastPresence(other.transport)));
    }

    private static List<List<String>> presences(FakeTransport transport) {
        return transport.json().stream().filter(f -> "presence".equals(f.path("type").asText()))
                .map(PresenceTrackerTest::users).toList();
    }

    @Test
    void nothingOfTheSessionReachesASubscriberBeforeItsGreeting() throws Exception {
        FakeTransport alice = join("alice", "user");
        await(() -> assertEquals(List.of("alice/user"), users(lastPresence(alice))));
        Tab sam = subscribe("sam", "supporter", false); // its replay still waits for history
        await(() -> assertEquals(List.of("alice/user", "sam/supporter"), users(lastPresence(alice))));
        hub.signal(session, fx.frames.frame("typing_indicator").put("user_id", "alice").toString(), null);
        Thread.sleep(50);
        assertEquals(List.of(), sam.transport.types(), "frames of the channel before its subscribed");

        sam.subscription.started(0, 0);
        assertEquals(List.of("subscribed", "presence"), sam.transport.types());
        assertEquals(List.of("alice/user", "sam/supporter"), users(lastPresence(sam.transport)));
    }

    @Test
    void anotherInstancesParticipantsAreMergedAndDropOutAfterTheTtl() throws Exception {
        FakeTransport alice = join("alice", "user");
        await(() -> assertEquals(List.of("alice/user"), users(lastPresence(alice))));

        tracker.onAnnouncement(session, announcement("elsewhere", "s-1", "sam", "supporter"));
        assertEquals(List.of("alice/user", "sam/supporter"), users(lastPresence(alice)));

        Thread.sleep(250); // the other instance went quiet for longer than the TTL
        tracker.announceAndExpire();
        assertEquals(List.of("alice/user"), users(lastPresence(alice)));
    }

    @Test
    void aSessionNobodyIsInAnyMoreIsForgotten() throws Exception {
        tracker.onAnnouncement(new SessionKey("acme", "elsewhere"),
                announcement("gone", "elsewhere", "sam", "supporter"));
        assertEquals(1, tracker.trackedSessions());
        Thread.sleep(250); // that instance died: its announcement outlives the TTL
        tracker.announceAndExpire();
        assertEquals(0, tracker.trackedSessions());
    }

    @Test
    void withdrawingOnShutdownEmptiesThisInstancesShare() throws Exception {
        join("alice", "user");
        await(() -> assertEquals(1, announced.size()));
        tracker.withdrawAll(); // the other instances hear that nobody is here any more
        assertEquals(2, announced.size());
        assertEquals(List.of(), users(FakeTransport.parse(announced.getLast())));
    }
}
