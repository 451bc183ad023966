package com.parley.chat.gateway.stats;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLongArray;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.parley.chat.gateway.client.StatsSubscription;
import com.parley.chat.gateway.client.TenantSubscribers;
import com.parley.chat.gateway.config.GatewayConfig;
import com.parley.chat.gateway.hub.SessionHub;
import com.parley.chat.gateway.presence.OperatorRoster;
import com.parley.chat.gateway.protocol.Channel;
import com.parley.chat.gateway.protocol.Frames;
import com.parley.chat.gateway.protocol.SessionKey;
import com.parley.chat.gateway.signal.SignalPublisher;

import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.quarkus.scheduler.Scheduler;

/**
 * Admins' live figures (SPEC 6a), a {@code tenant_stats} frame every {@code stats.interval}:
 * connections summed over every instance (each announces its counts per tenant on chat.signals;
 * a silent instance drops out after three intervals), messages in the last minute (every instance
 * reads every event, so its own count is everyone's), operators by status (the roster, already
 * merged over instances), and the open and unclaimed sessions with the oldest wait (chat-api).
 */
@ApplicationScoped
public class TenantStats {

    /** The pseudo-session the connection counts travel under on chat.signals. */
    static final SessionKey SIGNAL_KEY = new SessionKey("~all", "~connections");
    private static final int WINDOW_SECONDS = 60;

    private record Counts(Map<String, Integer> byTenant, Instant expiresAt) {
    }

    /** Messages per second of the last minute, in a ring of one-second buckets. */
    private static final class MessageWindow {
        private final AtomicLongArray counts = new AtomicLongArray(WINDOW_SECONDS);
        private final AtomicLongArray seconds = new AtomicLongArray(WINDOW_SECONDS);

        void add(long epochSecond) {
            int slot = (int) (epochSecond % WINDOW_SECONDS);
            if (seconds.getAndSet(slot, epochSecond) != epochSecond) {
                counts.set(slot, 0); // a bucket of an older minute: start it over
            }
            counts.incrementAndGet(slot);
        }

        long lastMinute(long nowSecond) {
            long sum = 0;
            for (int i = 0; i < WINDOW_SECONDS; i++) {
                if (nowSecond - seconds.get(i) < WINDOW_SECONDS) {
                    sum += counts.get(i);
                }
            }
            return sum;
        }
    }

    private final SessionHub hub;
    private final OperatorRoster operators;
    private final SignalPublisher signals;
    private final Frames frames;
    private final GatewayConfig config;
    private final FiguresSource source;

    private final TenantSubscribers<StatsSubscription> subscribers = new TenantSubscribers<>();
    private final Map<String, Counts> connections = new ConcurrentHashMap<>();
    private final Map<String, MessageWindow> messages = new ConcurrentHashMap<>();

    @Inject
    public TenantStats(SessionHub hub, OperatorRoster operators, SignalPublisher signals, Frames frames,
            GatewayConfig config, FiguresSource source) {
        this.hub = hub;
        this.operators = operators;
        this.signals = signals;
        this.frames = frames;
        this.config = config;
        this.source = source;
    }

    void schedule(@Observes StartupEvent event, Scheduler scheduler) {
        scheduler.newJob("tenant-stats")
                .setInterval(config.stats().interval().toString())
                .setConcurrentExecution(Scheduled.ConcurrentExecution.SKIP)
                .setTask(execution -> tick())
                .schedule();
    }

    public void subscribe(StatsSubscription subscription) {
        subscribers.add(subscription);
        send(subscription.connection().caller().tenantId()); // the figures now, then every interval
    }

    public void unsubscribe(StatsSubscription subscription) {
        subscribers.remove(subscription);
    }

    /** A message_created event passed by (every instance sees every one). */
    public void messageCreated(String tenant) {
        messages.computeIfAbsent(tenant, t -> new MessageWindow()).add(Instant.now().getEpochSecond());
    }

    /** An instance's connection counts from chat.signals (this one's included). */
    public void onAnnouncement(JsonNode signal) {
        Map<String, Integer> byTenant = new HashMap<>();
        signal.path("connections").properties().forEach(e -> byTenant.put(e.getKey(), e.getValue().asInt()));
        connections.put(signal.path("instance_id").asText(), new Counts(byTenant,
                Instant.now().plus(config.stats().interval().multipliedBy(3))));
    }

    void tick() {
        ObjectNode signal = signals.signal("connections", SIGNAL_KEY);
        ObjectNode counts = signal.putObject("connections");
        hub.connectionsByTenant().forEach(counts::put);
        onAnnouncement(signal);
        signals.publish(SIGNAL_KEY, signal);
        Instant now = Instant.now();
        connections.values().removeIf(c -> !c.expiresAt().isAfter(now));
        subscribers.tenants().forEach(this::send);
    }

    private void send(String tenant) {
        StatsSubscription any = subscribers.one(tenant).orElse(null);
        if (any == null) {
            return;
        }
        source.figures(any.connection().caller()).subscribe().with(figures -> write(tenant, figures),
                failure -> {
                    Log.debugf("figures of %s not known: %s", tenant, failure.getMessage());
                    write(tenant, null);
                });
    }

    /**
     * The tenant's connections: the other instances' as they last announced them, and this
     * instance's as they are now (its own announcement is for the others, and up to an interval old:
     * an admin who had just connected was not counted yet).
     */
    private int connections(String tenant, Instant now) {
        int elsewhere = connections.entrySet().stream()
                .filter(e -> !e.getKey().equals(config.instanceId()) && e.getValue().expiresAt().isAfter(now))
                .mapToInt(e -> e.getValue().byTenant().getOrDefault(tenant, 0)).sum();
        return elsewhere + hub.connections(tenant);
    }

    private void write(String tenant, FiguresSource.SessionFigures figures) {
        Instant now = Instant.now();
        ObjectNode frame = frames.frame("tenant_stats", Channel.STATS);
        frame.put("connections", connections(tenant, now));
        if (figures != null) {
            frame.put("open_sessions", figures.openSessions()).put("unclaimed_sessions", figures.unclaimedSessions())
                    .put("oldest_unclaimed_wait_seconds", figures.oldestUnclaimedSince() == null ? 0
                            : Math.max(0, Duration.between(figures.oldestUnclaimedSince(), now).toSeconds()));
            frame.putObject("ratings_last_day").put("good", figures.ratedGoodLastDay())
                    .put("bad", figures.ratedBadLastDay());
        }
        ObjectNode byStatus = frame.putObject("operators");
        operators.countsByStatus(tenant).forEach(byStatus::put);
        MessageWindow window = messages.get(tenant);
        frame.put("messages_last_minute", window == null ? 0 : window.lastMinute(now.getEpochSecond()));
        frame.put("at", now.toString());
        subscribers.send(tenant, frame.toString());
    }
}
