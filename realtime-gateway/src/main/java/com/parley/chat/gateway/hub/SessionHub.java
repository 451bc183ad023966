package com.parley.chat.gateway.hub;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import com.parley.chat.gateway.client.ClientConnection;
import com.parley.chat.gateway.client.ClientSession;
import com.parley.chat.gateway.client.DashboardClient;
import com.parley.chat.gateway.config.GatewayConfig;
import com.parley.chat.gateway.metrics.GatewayMetrics;
import com.parley.chat.gateway.protocol.Disconnect;
import com.parley.chat.gateway.protocol.EventFrame;
import com.parley.chat.gateway.protocol.SessionKey;

import io.quarkus.logging.Log;
import io.quarkus.scheduler.Scheduled;

/**
 * Which local connections belong to which session and tenant, the per-session and per-tenant
 * limits, and the fan-out of events and signals to them. Unit-tested in SessionHubTest.
 */
@ApplicationScoped
public class SessionHub {

    private final GatewayConfig config;
    private final GatewayMetrics metrics;
    private final Map<SessionKey, Set<ClientSession>> bySession = new ConcurrentHashMap<>();
    private final Map<String, Set<DashboardClient>> dashboardsByTenant = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> perTenant = new ConcurrentHashMap<>();
    private final Set<ClientConnection> all = ConcurrentHashMap.newKeySet();
    private volatile boolean draining;

    @Inject
    public SessionHub(GatewayConfig config, GatewayMetrics metrics) {
        this.config = config;
        this.metrics = metrics;
    }

    /** Registers a session client; returns why it may not stay, or null when it may. */
    public synchronized Disconnect register(ClientSession client) {
        String tenant = client.caller().tenantId();
        if (draining) {
            return Disconnect.DRAINING;
        }
        Set<ClientSession> session = bySession.computeIfAbsent(client.session(), k -> ConcurrentHashMap.newKeySet());
        if (session.size() >= config.limits().connectionsPerSession()) {
            return Disconnect.SESSION_FULL;
        }
        if (tenantCount(tenant).get() >= config.limits().connectionsPerTenant()) {
            return Disconnect.TENANT_FULL;
        }
        session.add(client);
        tenantCount(tenant).incrementAndGet();
        all.add(client);
        metrics.opened();
        return null;
    }

    /** Registers a dashboard; returns why it may not stay, or null when it may. */
    public synchronized Disconnect register(DashboardClient client) {
        String tenant = client.caller().tenantId();
        if (draining) {
            return Disconnect.DRAINING;
        }
        if (tenantCount(tenant).get() >= config.limits().connectionsPerTenant()) {
            return Disconnect.TENANT_FULL;
        }
        dashboardsByTenant.computeIfAbsent(tenant, k -> ConcurrentHashMap.newKeySet()).add(client);
        tenantCount(tenant).incrementAndGet();
        all.add(client);
        metrics.opened();
        return null;
    }

    public synchronized void unregister(ClientConnection client) {
        if (!all.remove(client)) {
            return;
        }
        String tenant = client.caller().tenantId();
        if (client instanceof ClientSession session) {
            Set<ClientSession> set = bySession.get(session.session());
            if (set != null) {
                set.remove(session);
                if (set.isEmpty()) {
                    bySession.remove(session.session());
                }
            }
        } else if (client instanceof DashboardClient dashboard) {
            Set<DashboardClient> set = dashboardsByTenant.get(tenant);
            if (set != null) {
                set.remove(dashboard);
            }
        }
        AtomicInteger count = perTenant.get(tenant);
        if (count != null && count.decrementAndGet() <= 0) {
            perTenant.remove(tenant);
        }
        metrics.closed();
    }

    /** An event from Kafka: to the session's sockets and the tenant's dashboards. */
    public void publish(EventFrame event) {
        Set<ClientSession> session = bySession.get(event.sessionKey());
        Set<DashboardClient> dashboards = dashboardsByTenant.get(event.tenantId());
        if (session == null && dashboards == null) {
            return;
        }
        LoopBatches batches = new LoopBatches();
        if (session != null) {
            session.forEach(batches::add);
        }
        if (dashboards != null) {
            dashboards.forEach(batches::add);
        }
        batches.run(client -> client.deliver(event));
    }

    /** A signal frame to a session's local sockets, except the connection it came from. */
    public void signal(SessionKey key, String frame, String exceptConnectionId) {
        Set<ClientSession> session = bySession.get(key);
        if (session == null) {
            return;
        }
        LoopBatches batches = new LoopBatches();
        for (ClientSession client : session) {
            if (!client.connectionId().equals(exceptConnectionId)) {
                batches.add(client);
            }
        }
        batches.run(client -> client.deliverSignal(frame));
    }

    /** Sessions with local connections. */
    public Set<SessionKey> localSessions() {
        return bySession.keySet();
    }

    public List<ClientSession> sessionClients(SessionKey key) {
        Set<ClientSession> session = bySession.get(key);
        return session == null ? List.of() : new ArrayList<>(session);
    }

    /** Every local session client checks history for events after its last; returns how many. */
    public int catchUpAll() {
        int count = 0;
        for (ClientConnection client : all) {
            if (client instanceof ClientSession session) {
                session.catchUp();
                count++;
            }
        }
        return count;
    }

    public int connectionCount() {
        return all.size();
    }

    /** Closes every connection with 1012 so that clients reconnect to another instance at once. */
    public void drain() {
        draining = true;
        List<ClientConnection> open = new ArrayList<>(all);
        Log.infof("draining %d connections with 1012", open.size());
        for (ClientConnection client : open) {
            client.close(Disconnect.SHUTDOWN);
        }
    }

    public boolean draining() {
        return draining;
    }

    /** Closes connections whose token expired (4401), that went silent, or stopped reading (1013). */
    @Scheduled(every = "1s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void sweep() {
        Instant now = Instant.now();
        long silence = config.heartbeat().silenceTimeout().toNanos();
        for (ClientConnection client : all) {
            if (client.expired(now)) {
                client.close(Disconnect.TOKEN_EXPIRED);
            } else if (client.expectsHeartbeat() && client.silentNanos() > silence) {
                client.close(Disconnect.NO_HEARTBEAT);
            } else if (client.stalled()) {
                client.slowConsumer("not reading");
            }
        }
    }

    private AtomicInteger tenantCount(String tenant) {
        return perTenant.computeIfAbsent(tenant, k -> new AtomicInteger());
    }
}
