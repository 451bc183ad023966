package com.parley.chat.gateway.presence;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.parley.chat.gateway.client.ClientConnection;
import com.parley.chat.gateway.client.OperatorsSubscription;
import com.parley.chat.gateway.protocol.SessionKey;
import com.parley.chat.gateway.signal.SignalPublisher;
import com.parley.chat.gateway.testing.FakeTransport;
import com.parley.chat.gateway.testing.Fixtures;

import io.smallrye.mutiny.Uni;

/** Two instances' rosters on one (fake) signal bus: status, workload, auto-busy, and an instance that dies. */
class OperatorRosterTest {

    private final Fixtures fx = new Fixtures("operators.ttl", "0.2S", "operators.busy-at", "3");
    private final Map<String, Integer> held = new ConcurrentHashMap<>();
    private final List<OperatorRoster> bus = new ArrayList<>();
    private final List<JsonNode> published = new ArrayList<>();
    private boolean aAlive = true;

    private OperatorRoster instance(String name) {
        SignalPublisher publisher = new SignalPublisher(fx.frames, fx.config) {
            @Override
            public ObjectNode signal(String kind, SessionKey session) {
                return super.signal(kind, session).put("instance_id", name);
            }

            @Override
            public void publish(SessionKey session, ObjectNode signal) {
                if ("a".equals(name) && !aAlive) {
                    return;
                }
                published.add(signal);
                bus.forEach(roster -> roster.onAnnouncement(signal));
            }
        };
        OperatorRoster roster = new OperatorRoster(publisher, fx.frames, fx.config,
                staff -> Uni.createFrom().item(Map.copyOf(held)));
        bus.add(roster);
        return roster;
    }

    private static ClientConnection connection(String user, String role, FakeTransport transport, Fixtures fx) {
        return new ClientConnection("c-" + user + System.nanoTime(), Fixtures.caller("acme", user, role), transport,
                fx.context);
    }

    /** A staff member connected to {@code roster} and subscribed to the operators channel: what they are told. */
    private FakeTransport watcher(OperatorRoster roster, String user, String role) {
        FakeTransport watcher = new FakeTransport();
        ClientConnection watching = connection(user, role, watcher, fx);
        roster.connected(watching);
        roster.subscribe(new OperatorsSubscription(watching));
        return watcher;
    }

    private static Map<String, String> statuses(FakeTransport transport) {
        Map<String, String> last = new java.util.TreeMap<>();
        for (JsonNode frame : transport.json()) {
            if ("operator_status".equals(frame.path("type").asText())) {
                last.put(frame.path("user_id").asText(), frame.path("status").asText() + "/"
                        + frame.path("open_sessions").asInt());
            }
        }
        return last;
    }

    @Test
    void statusWorkloadAndDeathReachTheOtherInstance() throws InterruptedException {
        OperatorRoster a = instance("a");
        OperatorRoster b = instance("b");
        FakeTransport watcher = watcher(b, "sam", "supporter");
        assertEquals(Map.of("sam", "available/0"), statuses(watcher));

        ClientConnection bob = connection("bob", "supporter", new FakeTransport(), fx);
        a.connected(bob);
        assertEquals("available/0", statuses(watcher).get("bob"), "bob is online on the other instance");
        a.connected(connection("alice", "user", new FakeTransport(), fx));
        assertEquals(null, statuses(watcher).get("alice"), "customers are no operators");

        a.choose(bob.caller(), "away");
        assertEquals("away/0", statuses(watcher).get("bob"));
        a.choose(bob.caller(), "available");
        held.put("bob", 3);
        b.claimsChanged("acme");
        assertEquals("busy/3", statuses(watcher).get("bob"), "busy by itself at busy-at open sessions");
        held.put("bob", 2);
        b.claimsChanged("acme");
        assertEquals("available/2", statuses(watcher).get("bob"), "and back when it drops");

        aAlive = false; // instance a dies: it announces nothing more
        Thread.sleep(300);
        b.announceAndExpire();
        assertEquals("offline/2", statuses(watcher).get("bob"), "offline once a's announcement expired");
        assertEquals("available/0", statuses(watcher).get("sam"), "sam, on b, is still there");
    }

    @Test
    void customersAreToldWhetherSupportIsThereAvailableBusyOrAwayOnceTheInstanceHasHeardTheOthers()
            throws InterruptedException {
        OperatorRoster a = instance("a");
        OperatorRoster b = instance("b");
        List<String> toldOnB = new ArrayList<>(); // what b's customers of acme are told
        b.watchSupport(() -> java.util.Set.of("acme"), (tenant, status) -> toldOnB.add(tenant + ":" + status));
        ClientConnection bob = connection("bob", "supporter", new FakeTransport(), fx);
        a.connected(bob); // bob's dashboard is on instance a

        assertEquals(null, b.supportStatus("acme"), "b just started: it may not have heard every instance yet");
        b.announceAndExpire();
        assertEquals(null, b.supportStatus("acme"));
        assertEquals(List.of(), toldOnB, "not \"away\" on a guess");
        b.announceAndExpire(); // a whole round heard
        assertEquals("available", b.supportStatus("acme"));
        assertEquals(List.of("acme:available"), toldOnB);

        a.choose(bob.caller(), "away");
        assertEquals(List.of("acme:available", "acme:away"), toldOnB, "told at once, not at the next round");
        a.choose(bob.caller(), "busy");
        assertEquals("acme:busy", toldOnB.getLast());
        a.choose(bob.caller(), "available");
        FakeTransport sam = watcher(b, "sam", "supporter"); // the workload is known where staff watch
        held.put("bob", 3);
        held.put("sam", 3);
        b.claimsChanged("acme");
        assertEquals("busy", b.supportStatus("acme"), "everyone online holds busy-at chats: busy by itself");
        held.put("sam", 2);
        b.claimsChanged("acme");
        assertEquals("available", b.supportStatus("acme"), "sam has room again");
        int told = toldOnB.size();
        b.announceAndExpire();
        assertEquals(told, toldOnB.size(), "a round without a change tells nobody again");

        aAlive = false; // instance a dies with bob's dashboard: sam, at his limit, is all that is left
        Thread.sleep(300);
        held.put("sam", 3);
        b.claimsChanged("acme");
        b.announceAndExpire();
        assertEquals("offline/3", statuses(sam).get("bob"));
        assertEquals("acme:busy", toldOnB.getLast());
    }

    @Test
    void anInstanceWithoutStaffTellsItsCustomersBusyByTheWorkloadTheOperatorsInstanceAnnounces() {
        OperatorRoster a = instance("a");
        OperatorRoster b = instance("b");
        List<String> toldOnB = new ArrayList<>(); // b holds only customers: nobody there watches the operators
        b.watchSupport(() -> java.util.Set.of("acme"), (tenant, status) -> toldOnB.add(status));
        FakeTransport bob = watcher(a, "bob", "supporter"); // bob's dashboard, on a, watches: a knows his workload
        for (OperatorRoster instance : List.of(a, b, a, b)) {
            instance.announceAndExpire();
        }
        assertEquals(List.of("available"), toldOnB);

        held.put("bob", 3); // busy-at
        a.claimsChanged("acme");
        assertEquals("busy/3", statuses(bob).get("bob"));
        a.announceAndExpire(); // a's next round carries bob's open sessions
        assertEquals(List.of("available", "busy"), toldOnB, "b's customers learn that support is busy");
        held.put("bob", 1);
        a.claimsChanged("acme");
        a.announceAndExpire();
        assertEquals(List.of("available", "busy", "available"), toldOnB);
    }

    @Test
    void theStatusCustomersSeeIsTheBestOfTheOperators() {
        OperatorRoster.View available = new OperatorRoster.View("available", 0, null);
        OperatorRoster.View busy = new OperatorRoster.View("busy", 5, null);
        OperatorRoster.View away = new OperatorRoster.View("away", 0, null);
        OperatorRoster.View offline = new OperatorRoster.View("offline", 0, null);
        assertEquals("away", OperatorRoster.support(List.of()), "no operator at all");
        assertEquals("away", OperatorRoster.support(List.of(away, offline)));
        assertEquals("busy", OperatorRoster.support(List.of(away, busy, offline)));
        assertEquals("available", OperatorRoster.support(List.of(busy, available, away)));
    }

    @Test
    void aChosenStatusComesBackWithTheOperatorOnWhicheverInstanceTheyReturnTo() {
        OperatorRoster a = instance("a");
        OperatorRoster b = instance("b");
        FakeTransport watcher = watcher(b, "ann", "admin");

        ClientConnection onA = connection("bob", "supporter", new FakeTransport(), fx);
        a.connected(onA);
        a.choose(onA.caller(), "away");
        a.disconnected(onA); // bob reloads the page; the load balancer sends him to b
        assertEquals("offline/0", statuses(watcher).get("bob"));
        b.connected(connection("bob", "supporter", new FakeTransport(), fx));
        assertEquals("away/0", statuses(watcher).get("bob"), "still away, as on a");

        a.connected(connection("bob", "supporter", new FakeTransport(), fx)); // a second tab, on a
        assertEquals("away/0", statuses(watcher).get("bob"), "a default from a does not undo the choice");
    }

    @Test
    void anOperatorGoesOfflineWhenTheirLastConnectionCloses() {
        OperatorRoster a = instance("a");
        FakeTransport watcher = watcher(a, "sam", "admin");
        ClientConnection tab1 = connection("bob", "supporter", new FakeTransport(), fx);
        ClientConnection tab2 = connection("bob", "supporter", new FakeTransport(), fx);
        a.connected(tab1);
        a.connected(tab2);
        a.disconnected(tab1);
        a.disconnected(tab1); // a close reported twice counts once
        assertEquals("available/0", statuses(watcher).get("bob"), "one tab still open");
        a.disconnected(tab2);
        assertEquals("offline/0", statuses(watcher).get("bob"));
    }

    @Test
    void onlyAUsersFirstAndLastConnectionChangeTheRosterSoManyTabsAnnounceOnce() {
        OperatorRoster a = instance("a");
        List<ClientConnection> tabs = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) { // a service account's or a busy operator's many sockets
            ClientConnection tab = connection("bob", "supporter", new FakeTransport(), fx);
            tabs.add(tab);
            a.connected(tab);
        }
        assertEquals(1, published.size(), "bob came online once");
        assertEquals("bob", published.getFirst().path("operators").get(0).path("user_id").asText());

        ClientConnection carol = connection("carol", "supporter", new FakeTransport(), fx);
        a.connected(carol);
        assertEquals(2, published.size(), "carol came online");
        assertEquals(2, published.getLast().path("operators").size());

        tabs.subList(1, tabs.size()).forEach(a::disconnected);
        assertEquals(2, published.size(), "bob still has a connection");
        a.disconnected(tabs.getFirst());
        assertEquals(3, published.size(), "bob's last connection closed");
        assertEquals("carol", published.getLast().path("operators").get(0).path("user_id").asText());
        assertEquals(1, published.getLast().path("operators").size());
    }

    @Test
    void aClaimThatChangesWhileChatApiIsAskedIsAskedAgainAfterwards() {
        // chat-api answers each ask when the test says so; the first ask read the claims before the last one
        List<io.smallrye.mutiny.subscription.UniEmitter<? super Map<String, Integer>>> asks = new ArrayList<>();
        OperatorRoster roster = new OperatorRoster(new SignalPublisher(fx.frames, fx.config) {
            @Override
            public void publish(SessionKey session, ObjectNode signal) {
                bus.forEach(r -> r.onAnnouncement(signal));
            }
        }, fx.frames, fx.config, staff -> Uni.createFrom().emitter(asks::add));
        bus.add(roster);
        FakeTransport watcher = watcher(roster, "sam", "supporter");
        roster.connected(connection("bob", "supporter", new FakeTransport(), fx));
        assertEquals(1, asks.size(), "asked when sam subscribed");

        roster.claimsChanged("acme"); // bob claims a fifth chat while the first ask is under way
        asks.getFirst().complete(Map.of("bob", 2)); // read before that claim
        assertEquals("available/2", statuses(watcher).get("bob"));
        assertEquals(2, asks.size(), "the change during the ask is asked about again");
        asks.getLast().complete(Map.of("bob", 3));
        assertEquals("busy/3", statuses(watcher).get("bob"), "the workload does not stay behind");
        assertEquals(2, asks.size());
    }
}
