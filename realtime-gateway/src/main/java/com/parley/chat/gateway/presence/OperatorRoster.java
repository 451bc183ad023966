package com.parley.chat.gateway.presence;

import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.parley.chat.gateway.auth.Caller;
import com.parley.chat.gateway.client.ClientConnection;
import com.parley.chat.gateway.client.OperatorsSubscription;
import com.parley.chat.gateway.client.TenantSubscribers;
import com.parley.chat.gateway.config.GatewayConfig;
import com.parley.chat.gateway.protocol.Channel;
import com.parley.chat.gateway.protocol.Frames;
import com.parley.chat.gateway.protocol.SessionKey;
import com.parley.chat.gateway.signal.SignalPublisher;

import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.quarkus.scheduler.Scheduler;

/**
 * Who of a tenant's staff is online, with what status and how many open sessions they hold
 * (SPEC 6a), across all instances. Each instance announces the staff connected to it (and the
 * status each chose) on chat.signals when it changes and every {@code announce-interval}; an
 * instance that stops announcing (it died) drops out after the TTL, so its operators go offline
 * everywhere. Workload comes from chat-api, asked again whenever a claim changes. Subscribers of
 * the {@code operators} channel get an {@code operator_status} frame per operator whose view
 * changed. The tenant's customers learn only whether support is there for them ({@link #supportStatus}).
 */
@ApplicationScoped
public class OperatorRoster {

    public static final Set<String> STATUSES = Set.of("available", "busy", "away");
    /**
     * The pseudo-session the announcements travel under on chat.signals. chat-api reads them too
     * (key {@code <tenant>:~operators}, {@code operators[].user_id}): it gives the chats of an
     * operator no instance announces any more back to the queue (MultiplexIT).
     */
    static final String SIGNAL_SESSION = "~operators";

    /** A staff member's chosen status and when they chose it (the newest choice wins across instances). */
    record Choice(String status, long changedAt) {
    }

    /** What subscribers see of one operator: their name is null when no token of theirs had one. */
    record View(String status, int openSessions, String name) {
    }

    /**
     * One instance's operators, with the open sessions of those whose workload it knew: an instance
     * where no staff watch the operators channel has no workload of its own to tell busy by.
     */
    private record Announcement(Map<String, Choice> operators, Map<String, Integer> openSessions, Instant expiresAt) {
    }

    private final SignalPublisher signals;
    private final Frames frames;
    private final GatewayConfig config;
    private final WorkloadSource workloads;

    /** This instance's staff connections: connection id → who (a connection counts once, however it ends). */
    private final Map<String, Caller> localStaff = new ConcurrentHashMap<>();
    /**
     * tenant → user → that user's connections on this instance. The roster changes only when a
     * user's first connection opens or the last one closes: a second tab, or the thousandth
     * connection of a service account, announces nothing (and nothing scans every connection).
     */
    private final Map<String, Map<String, Integer>> localUsers = new ConcurrentHashMap<>();
    /**
     * tenant → user → status chosen, on this instance or (from the announcements) on another; kept
     * while the user has no connection, so it comes back with them on whichever instance they
     * reconnect to. In memory: a choice that no running instance saw is forgotten (available).
     */
    private final Map<String, Map<String, Choice>> choices = new ConcurrentHashMap<>();
    /** tenant → instance → what it announced. */
    private final Map<String, Map<String, Announcement>> remote = new ConcurrentHashMap<>();
    /**
     * tenant → user → the name of their token (presence's rule), from their connections here or
     * another instance's announcements; kept while they are offline, so the list still names them.
     */
    private final Map<String, Map<String, String>> names = new ConcurrentHashMap<>();
    /** tenant → user → open sessions held. */
    private final Map<String, Map<String, Integer>> workload = new ConcurrentHashMap<>();
    /** The operators channel's local subscribers. */
    private final TenantSubscribers<OperatorsSubscription> subscribers = new TenantSubscribers<>();
    /** tenant → what subscribers were last told. */
    private final Map<String, Map<String, View>> lastPushed = new ConcurrentHashMap<>();
    /** tenant → what its customers were last told of support (available, busy, away). */
    private final Map<String, String> supportTold = new ConcurrentHashMap<>();
    /** Announcement rounds since this instance started: after two, it has heard every live instance. */
    private final AtomicInteger rounds = new AtomicInteger();
    /** The tenants with connections here, and who tells their customers a new support status. */
    private volatile Supplier<Set<String>> supportTenants = Set::of;
    private volatile BiConsumer<String, String> supportListener = (tenant, status) -> {
    };
    /** tenant → its ask to chat-api for the workload. */
    private final Map<String, WorkloadAsk> workloadAsks = new ConcurrentHashMap<>();

    /** Whether an ask is under way, and whether a claim changed since the last one began. */
    private record WorkloadAsk(AtomicBoolean underWay, AtomicBoolean stale) {
        WorkloadAsk() {
            this(new AtomicBoolean(), new AtomicBoolean());
        }
    }

    @Inject
    public OperatorRoster(SignalPublisher signals, Frames frames, GatewayConfig config, WorkloadSource workloads) {
        this.signals = signals;
        this.frames = frames;
        this.config = config;
        this.workloads = workloads;
    }

    void schedule(@Observes StartupEvent event, Scheduler scheduler) {
        scheduler.newJob("operators-announce")
                .setInterval(config.operators().announceInterval().toString())
                .setConcurrentExecution(Scheduled.ConcurrentExecution.SKIP)
                .setTask(execution -> announceAndExpire())
                .schedule();
    }

    /** A staff connection opened on this instance. */
    public void connected(ClientConnection connection) {
        Caller caller = connection.caller();
        if (!caller.isOperator()) {
            return; // customers and services (an AI assistant) are no operators
        }
        if (caller.name() != null) {
            rememberName(caller.tenantId(), caller.userId(), caller.name());
        }
        if (localStaff.putIfAbsent(connection.connectionId(), caller) == null && count(caller, 1) == 1) {
            announce(caller.tenantId());
        }
    }

    /** A staff connection closed on this instance. */
    public void disconnected(ClientConnection connection) {
        Caller caller = localStaff.remove(connection.connectionId());
        if (caller != null && count(caller, -1) == 0) {
            announce(caller.tenantId());
        }
    }

    /** Moves the user's count of connections on this instance by {@code delta}; returns the new count. */
    private int count(Caller caller, int delta) {
        int[] now = new int[1];
        localUsers.compute(caller.tenantId(), (tenant, users) -> {
            Map<String, Integer> counts = users != null ? users : new ConcurrentHashMap<>();
            now[0] = counts.getOrDefault(caller.userId(), 0) + delta;
            if (now[0] > 0) {
                counts.put(caller.userId(), now[0]);
            } else {
                counts.remove(caller.userId());
            }
            return counts.isEmpty() ? null : counts;
        });
        return now[0];
    }

    /** A {@code status} frame: the operator chose available, busy or away. */
    public void choose(Caller caller, String status) {
        choices.computeIfAbsent(caller.tenantId(), t -> new ConcurrentHashMap<>())
                .put(caller.userId(), new Choice(status, System.currentTimeMillis()));
        announce(caller.tenantId());
    }

    /** A subscriber of the operators channel: it gets every operator's view now, then the changes. */
    public void subscribe(OperatorsSubscription subscription) {
        String tenant = subscription.connection().caller().tenantId();
        subscribers.add(subscription);
        view(tenant).forEach((user, view) -> subscription.deliverSignal(frame(user, view)));
        refreshWorkload(tenant);
    }

    public void unsubscribe(OperatorsSubscription subscription) {
        subscribers.remove(subscription);
    }

    /** A claim, release, transfer or status change of a session: workloads may have moved. */
    public void claimsChanged(String tenant) {
        if (subscribers.any(tenant)) {
            refreshWorkload(tenant);
        }
    }

    /** Another instance's (or this one's own) announcement from chat.signals. */
    public void onAnnouncement(JsonNode signal) {
        String tenant = signal.path("tenant_id").asText();
        String instance = signal.path("instance_id").asText();
        Map<String, Choice> operators = new HashMap<>();
        Map<String, Integer> open = new HashMap<>();
        Map<String, Choice> chosen = choices.computeIfAbsent(tenant, t -> new ConcurrentHashMap<>());
        for (JsonNode op : signal.path("operators")) {
            String user = op.path("user_id").asText();
            if (op.path("open_sessions").isInt()) {
                open.put(user, op.path("open_sessions").asInt());
            }
            if (op.path("name").isTextual()) { // read from their token by the instance that announces them
                rememberName(tenant, user, op.path("name").asText());
            }
            Choice choice = new Choice(op.path("status").asText("available"), op.path("changed_at").asLong());
            operators.put(user, choice);
            if (choice.changedAt() > 0) { // remembered here too: it comes back if they reconnect to this instance
                chosen.merge(user, choice, (mine, theirs) -> theirs.changedAt() > mine.changedAt() ? theirs : mine);
            }
        }
        Instant expires = Instant.now().plus(config.operators().ttl());
        remote.computeIfAbsent(tenant, t -> new ConcurrentHashMap<>())
                .put(instance, new Announcement(operators, open, expires));
        push(tenant);
    }

    private void rememberName(String tenant, String user, String name) {
        names.computeIfAbsent(tenant, t -> new ConcurrentHashMap<>()).put(user, name);
    }

    /** Every operator of the tenant some instance knows of: connected ones with their status, the rest offline. */
    Map<String, View> view(String tenant) {
        Map<String, Choice> online = new HashMap<>();
        Map<String, Integer> announcedOpen = new HashMap<>();
        Instant now = Instant.now();
        remote.getOrDefault(tenant, Map.of()).values().stream().filter(a -> a.expiresAt().isAfter(now))
                .forEach(a -> {
                    a.operators().forEach((user, choice) -> online.merge(user, choice,
                            (x, y) -> x.changedAt() >= y.changedAt() ? x : y));
                    announcedOpen.putAll(a.openSessions());
                });
        // the workload chat-api told this instance, else what the operator's own instance announced
        Map<String, Integer> held = new HashMap<>(announcedOpen);
        held.putAll(workload.getOrDefault(tenant, Map.of()));
        Map<String, String> named = names.getOrDefault(tenant, Map.of());
        Map<String, View> views = new TreeMap<>();
        Set<String> users = new TreeSet<>(online.keySet());
        users.addAll(held.keySet());
        users.addAll(lastPushed.getOrDefault(tenant, Map.of()).keySet()); // who went offline stays listed
        for (String user : users) {
            int open = held.getOrDefault(user, 0);
            Choice choice = online.get(user);
            String status = choice == null ? "offline"
                    : "available".equals(choice.status()) && open >= config.operators().busyAt() ? "busy"
                            : choice.status();
            views.put(user, new View(status, open, named.get(user)));
        }
        return views;
    }

    /** How many of the tenant's operators are available, busy, away and offline right now. */
    public Map<String, Integer> countsByStatus(String tenant) {
        Map<String, Integer> counts = new TreeMap<>(Map.of("available", 0, "busy", 0, "away", 0, "offline", 0));
        view(tenant).values().forEach(v -> counts.merge(v.status(), 1, Integer::sum));
        return counts;
    }

    /**
     * What a tenant's customers are told of its support: {@code available} (an operator is online
     * with room for a chat), {@code busy} (every online operator holds as many chats as
     * {@code busy-at}, or chose busy), {@code away} (no operator is online, or all chose away). Null
     * until this instance has heard every other instance announce (one round after it started):
     * before that it would call a tenant away whose operators are connected elsewhere. A customer who
     * subscribes is told what the others were told last, so that the next change reaches everyone
     * once and nobody hears the same status twice.
     */
    public String supportStatus(String tenant) {
        return rounds.get() < 2 ? null : supportTold.computeIfAbsent(tenant, t -> support(view(t).values()));
    }

    static String support(Collection<View> operators) {
        if (operators.stream().anyMatch(v -> "available".equals(v.status()))) {
            return "available";
        }
        return operators.stream().anyMatch(v -> "busy".equals(v.status())) ? "busy" : "away";
    }

    /**
     * Who tells customers: {@code listener} gets (tenant, status) whenever a tenant's support status
     * changes, for the tenants {@code tenants} names (those with connections here), and once for each
     * when this instance has heard the others.
     */
    public void watchSupport(Supplier<Set<String>> tenants, BiConsumer<String, String> listener) {
        this.supportTenants = tenants;
        this.supportListener = listener;
    }

    /**
     * Tells the tenant's customers about support, if it changed since they were told; under push's
     * lock, so that two changes in a row reach them in the order they were decided.
     */
    private synchronized void tellSupport(String tenant) {
        if (rounds.get() < 2) {
            return;
        }
        String status = support(view(tenant).values());
        if (!status.equals(supportTold.put(tenant, status))) {
            supportListener.accept(tenant, status);
        }
    }

    void announceAndExpire() {
        rounds.incrementAndGet();
        List.copyOf(localUsers.keySet()).forEach(this::announce);
        Instant now = Instant.now();
        remote.forEach((tenant, instances) -> {
            if (instances.values().removeIf(a -> !a.expiresAt().isAfter(now))) {
                push(tenant);
            }
        });
        // a tenant without operators anywhere has no announcements to push it: its customers are told here
        supportTenants.get().forEach(this::tellSupport);
    }

    private void announce(String tenant) {
        Set<String> users = new TreeSet<>(localUsers.getOrDefault(tenant, Map.of()).keySet());
        Map<String, Choice> chosen = choices.getOrDefault(tenant, Map.of());
        Map<String, String> named = names.getOrDefault(tenant, Map.of());
        SessionKey key = new SessionKey(tenant, SIGNAL_SESSION);
        ObjectNode signal = signals.signal("operators", key);
        ArrayNode operators = signal.putArray("operators");
        users.forEach(user -> {
            Choice choice = chosen.getOrDefault(user, new Choice("available", 0));
            ObjectNode op = operators.addObject().put("user_id", user).put("status", choice.status())
                    .put("changed_at", choice.changedAt());
            Integer open = workload.getOrDefault(tenant, Map.of()).get(user);
            if (open != null) { // for instances whose staff do not watch: they tell busy by it too
                op.put("open_sessions", open);
            }
            if (named.containsKey(user)) {
                op.put("name", named.get(user));
            }
        });
        onAnnouncement(signal); // this instance at once, without waiting for the round trip
        signals.publish(key, signal);
    }

    /**
     * Asks chat-api for the tenant's workload, one ask at a time. A change while an ask is under way
     * marks the workload stale, and the ask is made again when the answer is in: that answer may
     * have been read before the change (five claims in a row left an operator at four open chats, not
     * busy, until the next claim; MultiplexIT saw it).
     */
    private void refreshWorkload(String tenant) {
        WorkloadAsk ask = workloadAsks.computeIfAbsent(tenant, t -> new WorkloadAsk());
        ask.stale().set(true);
        askWorkload(tenant, ask);
    }

    private void askWorkload(String tenant, WorkloadAsk ask) {
        OperatorsSubscription any = subscribers.one(tenant).orElse(null);
        if (any == null || !ask.underWay().compareAndSet(false, true)) {
            return; // the ask under way looks at stale when its answer is in
        }
        ask.stale().set(false);
        workloads.workload(any.connection().caller()).subscribe().with(held -> {
            workload.put(tenant, new ConcurrentHashMap<>(held));
            ask.underWay().set(false);
            push(tenant);
            if (ask.stale().get()) {
                askWorkload(tenant, ask);
            }
        }, failure -> {
            ask.underWay().set(false);
            Log.debugf("workload of %s not known: %s", tenant, failure.getMessage());
        });
    }

    /** Tells the tenant's subscribers about every operator whose view changed. */
    private synchronized void push(String tenant) {
        Map<String, View> now = view(tenant);
        Map<String, View> before = lastPushed.computeIfAbsent(tenant, t -> new ConcurrentHashMap<>());
        now.forEach((user, view) -> {
            if (!Objects.equals(before.get(user), view)) {
                before.put(user, view);
                subscribers.send(tenant, frame(user, view));
            }
        });
        tellSupport(tenant);
    }

    private String frame(String user, View view) {
        ObjectNode frame = frames.frame("operator_status", Channel.OPERATORS).put("user_id", user)
                .put("status", view.status()).put("open_sessions", view.openSessions());
        if (view.name() != null) {
            frame.put("name", view.name());
        }
        return frame.toString();
    }
}
