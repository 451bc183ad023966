package com.parley.chat.gateway.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.parley.chat.gateway.auth.Caller;
import com.parley.chat.gateway.client.ClientSession;
import com.parley.chat.gateway.client.DashboardClient;
import com.parley.chat.gateway.protocol.Disconnect;
import com.parley.chat.gateway.protocol.SessionKey;
import com.parley.chat.gateway.testing.FakeTransport;
import com.parley.chat.gateway.testing.Fixtures;

/** The hub with fake transports: who gets which event, the limits, the drain and the sweep. */
class SessionHubTest {

    private final Fixtures fx = new Fixtures("limits.connections-per-session", "2", "limits.connections-per-tenant", "4",
            "heartbeat.silence-timeout", "0.05S", "limits.outbound-stall-timeout", "0.05S");
    private final SessionHub hub = new SessionHub(fx.config, fx.metrics);
    private final SessionKey a = new SessionKey("acme", "a");
    private final SessionKey b = new SessionKey("acme", "b");

    private ClientSession join(SessionKey session, Caller caller, FakeTransport transport) {
        ClientSession client = new ClientSession("c-" + System.nanoTime(), caller, session, 0, transport, fx.context,
                () -> "{\"type\":\"presence\"}");
        Disconnect refusal = hub.register(client);
        if (refusal != null) {
            client.close(refusal);
            return null;
        }
        client.start();
        return client;
    }

    private DashboardClient dashboard(Caller caller, FakeTransport transport) {
        DashboardClient client = new DashboardClient("d-" + System.nanoTime(), caller, transport, fx.context);
        assertNull(hub.register(client));
        return client;
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
        ClientSession first = join(a, Fixtures.caller("acme", "alice", "user"), new FakeTransport());
        join(a, Fixtures.caller("acme", "sam", "supporter"), new FakeTransport());
        FakeTransport third = new FakeTransport();
        assertNull(join(a, Fixtures.caller("acme", "alice", "user"), third));
        assertEquals(Disconnect.SESSION_FULL.code(), third.closeCode());
        assertEquals(Disconnect.SESSION_FULL.reason(), third.closeReason());

        hub.unregister(first);
        FakeTransport again = new FakeTransport();
        assertTrue(join(a, Fixtures.caller("acme", "alice", "user"), again) != null);
        assertEquals(0, again.closeCode());
    }

    @Test
    void aTenantTakesNoMoreThanItsLimitOnThisInstance() {
        for (int i = 0; i < 4; i++) {
            join(new SessionKey("acme", "s" + i), Fixtures.caller("acme", "u" + i, "user"), new FakeTransport());
        }
        FakeTransport fifth = new FakeTransport();
        assertNull(join(new SessionKey("acme", "s9"), Fixtures.caller("acme", "u9", "user"), fifth));
        assertEquals(Disconnect.TENANT_FULL.reason(), fifth.closeReason());
        assertEquals(4, hub.connectionCount());
        assertTrue(join(new SessionKey("globex", "s"), Fixtures.caller("globex", "g", "user"), new FakeTransport())
                != null, "another tenant is not affected");
    }

    @Test
    void emptiedSessionsAreForgotten() {
        ClientSession client = join(a, Fixtures.caller("acme", "alice", "user"), new FakeTransport());
        assertEquals(1, hub.localSessions().size());
        hub.unregister(client);
        hub.unregister(client);
        assertEquals(0, hub.localSessions().size());
        assertEquals(0, hub.connectionCount());
    }

    @Test
    void aSignalReachesEveryLocalSocketOfTheSessionButTheOneItCameFrom() {
        FakeTransport sender = new FakeTransport();
        FakeTransport other = new FakeTransport();
        ClientSession from = join(a, Fixtures.caller("acme", "alice", "user"), sender);
        join(a, Fixtures.caller("acme", "sam", "supporter"), other);
        hub.signal(a, "{\"type\":\"typing_indicator\"}", from.connectionId());
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
        assertEquals(Disconnect.DRAINING.reason(), late.closeReason());
    }

    @Test
    void theSweepClosesExpiredSilentAndStuckClients() throws InterruptedException {
        FakeTransport expired = new FakeTransport();
        FakeTransport stuck = new FakeTransport();
        join(a, new Caller("acme", "old", "user", Instant.now().minusSeconds(1), "t"), expired);
        ClientSession slow = join(b, Fixtures.caller("acme", "slow", "user"), stuck);
        stuck.stopReading();
        hub.publish(fx.event(b, 1));
        Thread.sleep(80);
        slow.heard();
        hub.sweep();
        assertEquals(4401, expired.closeCode());
        assertEquals(1013, stuck.closeCode(), "frames waited longer than the stall timeout");

        FakeTransport silent = new FakeTransport();
        join(a, Fixtures.caller("acme", "quiet", "user"), silent);
        Thread.sleep(80);
        hub.sweep();
        assertEquals(Disconnect.NO_HEARTBEAT.code(), silent.closeCode());
        assertEquals("no heartbeat", silent.closeReason());
    }
}
