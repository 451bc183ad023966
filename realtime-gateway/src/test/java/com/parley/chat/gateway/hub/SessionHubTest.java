package com.parley.chat.gateway.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.parley.chat.gateway.auth.Caller;
import com.parley.chat.gateway.client.ClientConnection;
import com.parley.chat.gateway.client.DashboardSubscription;
import com.parley.chat.gateway.client.SessionSubscription;
import com.parley.chat.gateway.client.SessionSubscription.Present;
import com.parley.chat.gateway.protocol.Disconnect;
import com.parley.chat.gateway.protocol.SessionKey;
import com.parley.chat.gateway.testing.FakeTransport;
import com.parley.chat.gateway.testing.Fixtures;

/** The hub with fake transports: who gets which event, the limits, the drain and the sweep. */
class SessionHubTest {

    private final Fixtures fx = new Fixtures("limits.connections-per-session", "2", "limits.connections-per-tenant", "4",
            "limits.connections-per-user", "3", "heartbeat.silence-timeout", "0.05S",
            "limits.outbound-stall-timeout", "0.05S");
    private final SessionHub hub = new SessionHub(fx.config, fx.metrics);
    private final SessionKey a = new SessionKey("acme", "a");
    private final SessionKey b = new SessionKey("acme", "b");

    private ClientConnection connect(Caller caller, FakeTransport transport) {
        ClientConnection connection = new ClientConnection("c-" + System.nanoTime(), caller, transport, fx.context);
        Disconnect refusal = hub.register(connection);
        if (refusal != null) {
            connection.close(refusal);
            return null;
        }
        return connection;
    }

    /** A one-session connection, as the shorthand socket opens it; null when refused. */
    private SessionSubscription join(SessionKey session, Caller caller, FakeTransport transport) {
        ClientConnection connection = connect(caller, transport);
        if (connection == null) {
            return null;
        }
        SessionSubscription subscription = follow(connection, session);
        if (subscription == null) {
            hub.unregister(connection);
            connection.close(Disconnect.SESSION_FULL);
        }
        return subscription;
    }

    private SessionSubscription follow(ClientConnection connection, SessionKey session) {
        SessionSubscription subscription = new SessionSubscription(connection, session, 0, fx.context,
                () -> new Present("{\"type\":\"presence\"}", List.of(), null), true, (s, notFound) -> { });
        if (!connection.add(subscription) || !hub.subscribe(subscription)) {
            connection.remove(subscription.channel().name());
            return null;
        }
        subscription.start();
        return subscription;
    }

    private DashboardSubscription dashboard(Caller caller, FakeTransport transport) {
        ClientConnection connection = connect(caller, transport);
        DashboardSubscription dashboard = new DashboardSubscription(connection);
        assertTrue(connection.add(dashboard));
        hub.subscribe(dashboard);
        return dashboard;
    }

    @Test
    void anEventReachesItsSessionAndTheTenantsDashboardsOnly() {
        FakeTransport inA = new FakeTransport();
        FakeTransport inB = new FakeTransport();
        FakeTransport staff = new FakeTransport();
        FakeTransport otherTenantStaff = new FakeTransport();
        join(a, Fixtures.caller("acme", "alice", "user"), inA);
        join(b, Fixtures.caller("acme", "bob", "user"), inB);
        dashboard(Fixtures.caller("acme", "sam", "supporter"), staff);
        dashboard(Fixtures.caller("globex", "gus", "supporter"), otherTenantStaff);

        hub.publish(fx.event(a, 1));
        hub.publish(fx.event(a, 2));

        assertEquals(List.of(1L, 2L), inA.seqs());
        assertEquals(List.of(), inB.seqs());
        assertEquals(List.of(1L, 2L), staff.seqs());
        assertEquals(List.of(), otherTenantStaff.seqs());
    }

    @Test
    void oneConnectionFollowsSeveralSessionsAndTheDashboardEachEventOncePerChannel() {
        FakeTransport staff = new FakeTransport();
        ClientConnection connection = connect(Fixtures.caller("acme", "sam", "supporter"), staff);
        follow(connection, a);
        follow(connection, b);
        DashboardSubscription dashboard = new DashboardSubscription(connection);
        connection.add(dashboard);
        hub.subscribe(dashboard);

        hub.publish(fx.event(a, 1));
        hub.publish(fx.event(b, 1));
        hub.publish(fx.event(a, 2));

        List<String> channels = new ArrayList<>();
        staff.json().stream().filter(f -> f.has("seq"))
                .forEach(f -> channels.add(f.path("channel").asText() + "#" + f.path("seq").asLong()));
        assertEquals(List.of("session:a#1", "dashboard#1", "session:b#1", "dashboard#1", "session:a#2",
                "dashboard#2"), channels);
    }

    @Test
    void aDashboardDropsASeqItAlreadyWrote() {
        FakeTransport staff = new FakeTransport();
        dashboard(Fixtures.caller("acme", "sam", "supporter"), staff);
        hub.publish(fx.event(a, 1));
        hub.publish(fx.event(a, 1));
        hub.publish(fx.event(b, 1));
        hub.publish(fx.event(a, 2));
        assertEquals(List.of(1L, 1L, 2L), staff.seqs());
    }

    @Test
    void aSessionTakesNoMoreThanItsLimitAndAFreedSlotIsFreeAgain() {
        SessionSubscription first = join(a, Fixtures.caller("acme", "alice", "user"), new FakeTransport());
        join(a, Fixtures.caller("acme", "sam", "supporter"), new FakeTransport());
        FakeTransport third = new FakeTransport();
        assertNull(join(a, Fixtures.caller("acme", "bob", "user"), third));
        assertEquals(1013, third.closeCode(), "a limit is capacity: try again later");
        assertEquals(Disconnect.SESSION_FULL.reason(), third.closeReason());

        hub.unregister(first.connection());
        FakeTransport again = new FakeTransport();
        assertTrue(join(a, Fixtures.caller("acme", "bob", "user"), again) != null);
        assertEquals(0, again.closeCode());
    }

    @Test
    void aUsersOldestConnectionIsReplacedWith4409SoOneUserNeverHoldsMoreThanTheLimit() {
        List<FakeTransport> tabs = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            FakeTransport tab = new FakeTransport();
            tabs.add(tab);
            join(new SessionKey("acme", "s" + i), Fixtures.caller("acme", "alice", "user"), tab);
        }
        assertEquals(4409, tabs.get(0).closeCode());
        assertEquals("replaced by a newer connection", tabs.get(0).closeReason());
        assertEquals(List.of(0, 0, 0), tabs.subList(1, 4).stream().map(FakeTransport::closeCode).toList());
        assertEquals(3, hub.connectionCount());
        assertFalse(hub.localSessions().contains(new SessionKey("acme", "s0")), "its subscriptions went with it");
    }

    @Test
    void aTenantTakesNoMoreThanItsCeilingOnThisInstanceAndNoCustomerTakesItAlone() {
        for (int i = 0; i < 10; i++) {
            join(new SessionKey("acme", "mine-" + i), Fixtures.caller("acme", "mallory", "user"), new FakeTransport());
        }
        assertEquals(3, hub.connectionCount(), "one customer holds at most connections-per-user");
        FakeTransport staff = new FakeTransport();
        dashboard(Fixtures.caller("acme", "sam", "supporter"), staff);
        assertEquals(0, staff.closeCode(), "staff still get in");

        FakeTransport fifth = new FakeTransport();
        assertNull(join(new SessionKey("acme", "s9"), Fixtures.caller("acme", "u9", "user"), fifth));
        assertEquals(1013, fifth.closeCode());
        assertEquals(Disconnect.TENANT_FULL.reason(), fifth.closeReason());
        assertTrue(join(new SessionKey("globex", "s"), Fixtures.caller("globex", "g", "user"), new FakeTransport())
                != null, "another tenant is not affected");
    }

    @Test
    void aConnectionFollowsNoMoreThanItsSubscriptionLimit() {
        Fixtures few = new Fixtures("limits.subscriptions-per-connection", "2");
        SessionHub small = new SessionHub(few.config, few.metrics);
        ClientConnection connection = new ClientConnection("c", Fixtures.caller("acme", "sam", "supporter"),
                new FakeTransport(), few.context);
        small.register(connection);
        for (String id : List.of("a", "b", "c")) {
            SessionSubscription s = new SessionSubscription(connection, new SessionKey("acme", id), 0, few.context,
                    () -> new Present("{}", List.of(), null), false, (x, notFound) -> { });
            boolean added = connection.add(s);
            assertEquals(!"c".equals(id), added, id);
        }
    }

    @Test
    void emptiedSessionsAreForgotten() {
        SessionSubscription subscription = join(a, Fixtures.caller("acme", "alice", "user"), new FakeTransport());
        assertEquals(1, hub.localSessions().size());
        hub.unregister(subscription.connection());
        hub.unregister(subscription.connection());
        assertEquals(0, hub.localSessions().size());
        assertEquals(0, hub.connectionCount());
    }

    @Test
    void aSignalReachesEveryLocalSocketOfTheSessionButTheOneItCameFrom() {
        FakeTransport sender = new FakeTransport();
        FakeTransport other = new FakeTransport();
        SessionSubscription from = join(a, Fixtures.caller("acme", "alice", "user"), sender);
        join(a, Fixtures.caller("acme", "sam", "supporter"), other);
        hub.signal(a, "{\"type\":\"typing_indicator\"}", from.connection().connectionId());
        assertEquals(List.of("connected", "presence"), sender.types());
        assertEquals(List.of("connected", "presence", "typing_indicator"), other.types());
    }

    @Test
    void drainClosesEveryConnectionWith1012AndRefusesNewOnes() {
        FakeTransport client = new FakeTransport();
        FakeTransport staff = new FakeTransport();
        join(a, Fixtures.caller("acme", "alice", "user"), client);
        dashboard(Fixtures.caller("acme", "sam", "supporter"), staff);
        hub.drain();
        assertEquals(1012, client.closeCode());
        assertEquals(1012, staff.closeCode());
        FakeTransport late = new FakeTransport();
        assertNull(join(b, Fixtures.caller("acme", "bob", "user"), late));
        assertEquals(1012, late.closeCode(), "go to another instance at once");
    }

    @Test
    void theSweepClosesExpiredSilentAndStuckClients() throws InterruptedException {
        FakeTransport expired = new FakeTransport();
        FakeTransport stuck = new FakeTransport();
        join(a, new Caller("acme", "old", "user", Instant.now().minusSeconds(1), "t"), expired);
        SessionSubscription slow = join(b, Fixtures.caller("acme", "slow", "user"), stuck);
        stuck.stopReading();
        hub.publish(fx.event(b, 1));
        Thread.sleep(80);
        slow.connection().heard();
        hub.sweep();
        assertEquals(4401, expired.closeCode());
        assertEquals(1013, stuck.closeCode(), "frames waited longer than the stall timeout");

        FakeTransport refreshed = new FakeTransport();
        SessionSubscription renewed = join(new SessionKey("acme", "c"),
                new Caller("acme", "late", "user", Instant.now().plusMillis(50), "t1"), refreshed);
        Caller fresh = new Caller("acme", "late", "user", Instant.now().plusSeconds(600), "t2");
        assertTrue(renewed.connection().refresh(fresh));
        Thread.sleep(80);
        renewed.connection().heard();
        hub.sweep();
        assertEquals(0, refreshed.closeCode(), "a fresh token sent before the old one expired extends the connection");

        FakeTransport silent = new FakeTransport();
        join(a, Fixtures.caller("acme", "quiet", "user"), silent);
        Thread.sleep(80);
        hub.sweep();
        assertEquals(1013, silent.closeCode(), "silence may be the network: reconnect");
        assertEquals("no heartbeat", silent.closeReason());
    }
}
