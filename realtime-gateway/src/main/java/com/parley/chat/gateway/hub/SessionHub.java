package com.parley.chat.gateway.hub;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import com.parley.chat.gateway.client.ClientConnection;
import com.parley.chat.gateway.client.DashboardSubscription;
import com.parley.chat.gateway.client.SessionSubscription;
import com.parley.chat.gateway.client.SharedFrames;
import com.parley.chat.gateway.client.Subscription;
import com.parley.chat.gateway.config.GatewayConfig;
import com.parley.chat.gateway.metrics.GatewayMetrics;
import com.parley.chat.gateway.protocol.Disconnect;
import com.parley.chat.gateway.protocol.EventFrame;
import com.parley.chat.gateway.protocol.SessionKey;

import io.quarkus.logging.Log;
import io.quarkus.scheduler.Scheduled;

/**
 * The local connections and what they follow: connections per tenant and per user, subscriptions
 * per session and the tenant's dashboards; the limits on each; the fan-out of events and signals
 * to the subscriptions. Unit-tested in SessionHubTest.
 */
@ApplicationScoped
public class SessionHub {

    private final GatewayConfig config;
    private final GatewayMetrics metrics;
    private final Set<ClientConnection> all = ConcurrentHashMap.newKeySet();
    private final Map<String, AtomicInteger> perTenant = new ConcurrentHashMap<>();
    private final Map<String, List<ClientConnection>> perUser = new ConcurrentHashMap<>();
    private final Map<SessionKey, Set<SessionSubscription>> bySession = new ConcurrentHashMap<>();
    private final Map<String, Set<DashboardSubscription>> dashboardsByTenant = new ConcurrentHashMap<>();
    private volatile boolean draining;

    @Inject
    public SessionHub(GatewayConfig config, GatewayMetrics metrics) {
        this.config = config;
        this.metrics = metrics;
    }

    /**
     * Registers a connection; returns why it may not stay, or null when it may. A user at the limit
     * keeps the newest connections: the oldest is closed with 4409 (replaced).
     */
    public Disconnect register(ClientConnection connection) {
        ClientConnection replaced = null;
        synchronized (this) {
            String tenant = connection.caller().tenantId();
            if (draining) {
                return Disconnect.DRAINING;
            }
            if (tenantCount(tenant).get() >= config.limits().connectionsPerTenant()) {
                return Disconnect.TENANT_FULL;
            }
            List<ClientConnection> mine = perUser.computeIfAbsent(userKey(connection), k -> new ArrayList<>());
            if (mine.size() >= config.limits().connectionsPerUser()) {
                replaced = mine.stream().min(Comparator.comparingLong(ClientConnection::openedAtNanos)).orElseThrow();
                unregister(replaced);
                mine = perUser.computeIfAbsent(userKey(connection), k -> new ArrayList<>());
            }
            mine.add(connection);
            tenantCount(tenant).incrementAndGet();
            all.add(connection);
            metrics.opened();
        }
        if (replaced != null) {
            replaced.close(Disconnect.REPLACED);
        }
        return null;
    }

    /** Forgets a connection and every subscription it had. */
    public synchronized void unregister(ClientConnection connection) {
        if (!all.remove(connection)) {
            return;
        }
        for (Subscription subscription : connection.subscriptions()) {
            unsubscribe(subscription);
        }
        String tenant = connection.caller().tenantId();
        AtomicInteger count = perTenant.get(tenant);
        if (count != null && count.decrementAndGet() <= 0) {
            perTenant.remove(tenant);
        }
        List<ClientConnection> mine = perUser.get(userKey(connection));
        if (mine != null) {
            mine.remove(connection);
            if (mine.isEmpty()) {
                perUser.remove(userKey(connection));
            }
        }
        metrics.closed();
    }

    /** Registers a subscription to a session; false when the session holds its maximum here. */
    public synchronized boolean subscribe(SessionSubscription subscription) {
        Set<SessionSubscription> session = bySession.computeIfAbsent(subscription.session(),
                k -> ConcurrentHashMap.newKeySet());
        if (session.size() >= config.limits().connectionsPerSession()) {
            if (session.isEmpty()) {
                bySession.remove(subscription.session());
            }
            return false;
        }
        session.add(subscription);
        return true;
    }

    public synchronized void subscribe(DashboardSubscription subscription) {
        dashboardsByTenant.computeIfAbsent(subscription.connection().caller().tenantId(),
                k -> ConcurrentHashMap.newKeySet()).add(subscription);
    }

    public synchronized void unsubscribe(Subscription subscription) {
        subscription.end();
        if (subscription instanceof SessionSubscription s) {
            Set<SessionSubscription> set = bySession.get(s.session());
            if (set != null && set.remove(s) && set.isEmpty()) {
                bySession.remove(s.session());
            }
        } else if (subscription instanceof DashboardSubscription d) {
            String tenant = d.connection().caller().tenantId();
            Set<DashboardSubscription> set = dashboardsByTenant.get(tenant);
            if (set != null && set.remove(d) && set.isEmpty()) {
                dashboardsByTenant.remove(tenant);
            }
        }
    }

    /** An event from Kafka: to the session's subscriptions and the tenant's dashboards. */
    public void publish(EventFrame event) {
        publish(List.of(event));
    }

    /**
     * Events from Kafka, in order: each to its session's subscriptions and its tenant's dashboards.
     * Each event is encoded once for all its WebSocket receivers, and each event loop gets one task
     * for the whole batch.
     */
    public void publish(List<EventFrame> events) {
        LoopBatches batches = new LoopBatches();
        for (EventFrame event : events) {
            Set<SessionSubscription> session = bySession.get(event.sessionKey());
            Set<DashboardSubscription> dashboards = dashboardsByTenant.get(event.tenantId());
            if (session == null && dashboards == null) {
                continue;
            }
            batches.event(SharedFrames.encode(event, session != null, dashboards != null));
            if (session != null) {
                session.forEach(batches::add);
            }
            if (dashboards != null) {
                dashboards.forEach(batches::add);
            }
        }
        batches.run((subscription, frames) -> subscription.deliver(frames.event()), metrics);
    }

    /** The session's participants, to each local subscriber that was not told the same list last. */
    public void presence(SessionKey key, String frame) {
        Set<SessionSubscription> session = bySession.get(key);
        if (session == null) {
            return;
        }
        LoopBatches batches = new LoopBatches();
        session.forEach(batches::add);
        batches.run((subscription, none) -> ((SessionSubscription) subscription).deliverPresence(frame), metrics);
    }

    /** A signal frame to a session's local subscriptions, except the connection it came from. */
    public void signal(SessionKey key, String frame, String exceptConnectionId) {
        Set<SessionSubscription> session = bySession.get(key);
        if (session == null) {
            return;
        }
        LoopBatches batches = new LoopBatches();
        for (SessionSubscription subscription : session) {
            if (!subscription.connection().connectionId().equals(exceptConnectionId)) {
                batches.add(subscription);
            }
        }
        batches.run((subscription, none) -> subscription.deliverSignal(frame), metrics);
    }

    /** The tenant's connections on this instance. */
    public int connections(String tenant) {
        AtomicInteger count = perTenant.get(tenant);
        return count == null ? 0 : Math.max(0, count.get());
    }

    /** Connections per tenant on this instance. */
    public Map<String, Integer> connectionsByTenant() {
        Map<String, Integer> counts = new java.util.HashMap<>();
        perTenant.forEach((tenant, n) -> {
            if (n.get() > 0) {
                counts.put(tenant, n.get());
            }
        });
        return counts;
    }

    /** A frame outside every channel (a notice) to each connection of the tenant on this instance. */
    public void toTenant(String tenantId, String frame) {
        for (ClientConnection connection : all) {
            if (connection.caller().tenantId().equals(tenantId)) {
                connection.send(frame);
            }
        }
    }

    /** A frame outside every channel (a note) to each staff connection of the tenant on this instance. */
    public void toTenantStaff(String tenantId, String frame) {
        for (ClientConnection connection : all) {
            if (connection.caller().tenantId().equals(tenantId) && connection.caller().isStaff()) {
                connection.send(frame);
            }
        }
    }

    /** The tenants with connections on this instance. */
    public Set<String> tenants() {
        return connectionsByTenant().keySet();
    }

    /** The session subscriptions of the tenant's customers on this instance (not staff, not services). */
    public List<SessionSubscription> customerSubscriptions(String tenantId) {
        List<SessionSubscription> customers = new ArrayList<>();
        bySession.forEach((key, subscriptions) -> {
            if (key.tenantId().equals(tenantId)) {
                subscriptions.stream().filter(s -> !s.connection().caller().isStaff()).forEach(customers::add);
            }
        });
        return customers;
    }

    /** Sessions with local subscriptions. */
    public Set<SessionKey> localSessions() {
        return bySession.keySet();
    }

    public List<SessionSubscription> sessionSubscriptions(SessionKey key) {
        Set<SessionSubscription> session = bySession.get(key);
        return session == null ? List.of() : new ArrayList<>(session);
    }

    /** Every local session subscription checks history for events after its last; returns how many. */
    public int catchUpAll() {
        int count = 0;
        for (Set<SessionSubscription> session : bySession.values()) {
            for (SessionSubscription subscription : session) {
                subscription.catchUp();
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
        for (ClientConnection connection : open) {
            connection.close(Disconnect.SHUTDOWN);
        }
    }

    public boolean draining() {
        return draining;
    }

    /** Closes connections whose token expired (4401), that went silent, or stopped reading (1013). */
    @Scheduled(every = "1s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void sweep() {
        long nowMillis = System.currentTimeMillis();
        long nowNanos = System.nanoTime();
        long silence = config.heartbeat().silenceTimeout().toNanos();
        for (ClientConnection connection : all) {
            if (connection.expired(nowMillis)) {
                connection.close(Disconnect.TOKEN_EXPIRED);
            } else if (connection.expectsHeartbeat() && connection.silentNanos(nowNanos) > silence) {
                connection.close(Disconnect.NO_HEARTBEAT);
            } else if (connection.stalled(nowNanos)) {
                connection.slowConsumer("not reading");
            }
        }
    }

    private AtomicInteger tenantCount(String tenant) {
        return perTenant.computeIfAbsent(tenant, k -> new AtomicInteger());
    }

    private static String userKey(ClientConnection connection) {
        return connection.caller().tenantId() + "\u0000" + connection.caller().userId();
    }
}
