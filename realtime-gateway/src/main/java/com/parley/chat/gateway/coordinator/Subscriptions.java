package com.parley.chat.gateway.coordinator;

import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.parley.chat.gateway.admission.AccessAuthority;
import com.parley.chat.gateway.admission.SessionAdmission;
import com.parley.chat.gateway.auth.Caller;
import com.parley.chat.gateway.client.ClientConnection;
import com.parley.chat.gateway.client.ClientContext;
import com.parley.chat.gateway.client.DashboardSubscription;
import com.parley.chat.gateway.client.OperatorsSubscription;
import com.parley.chat.gateway.client.SessionSubscription;
import com.parley.chat.gateway.client.StatsSubscription;
import com.parley.chat.gateway.client.Subscription;
import com.parley.chat.gateway.client.Transport;
import com.parley.chat.gateway.config.GatewayConfig;
import com.parley.chat.gateway.hub.SessionHub;
import com.parley.chat.gateway.presence.OperatorRoster;
import com.parley.chat.gateway.presence.PresenceTracker;
import com.parley.chat.gateway.presence.Typists;
import com.parley.chat.gateway.protocol.Channel;
import com.parley.chat.gateway.protocol.Disconnect;
import com.parley.chat.gateway.protocol.Frames;
import com.parley.chat.gateway.protocol.SessionKey;
import com.parley.chat.gateway.stats.TenantStats;

import io.quarkus.logging.Log;

/**
 * Opens and ends connections and their subscriptions, the same way for every transport: register
 * the connection with the hub (within the tenant's and the user's limits), admit each channel,
 * register the subscription, start its replay, join presence; on the way out, the reverse. A
 * refused subscription answers an {@code error} frame and the connection stays open.
 */
@ApplicationScoped
public class Subscriptions {

    private final SessionHub hub;
    private final PresenceTracker presence;
    private final Typists typists;
    private final ClientContext context;
    private final SessionAdmission admission;
    private final OperatorRoster operators;
    private final TenantStats stats;
    private final Frames frames;

    @Inject
    public Subscriptions(SessionHub hub, PresenceTracker presence, Typists typists, ClientContext context,
            SessionAdmission admission, OperatorRoster operators, TenantStats stats) {
        this.hub = hub;
        this.presence = presence;
        this.typists = typists;
        this.context = context;
        this.admission = admission;
        this.operators = operators;
        this.stats = stats;
        this.frames = context.frames();
        // a tenant's support comes, goes or fills up: its customers here are told (support_status)
        operators.watchSupport(hub::tenants, (tenant, status) -> hub.customerSubscriptions(tenant)
                .forEach(subscription -> subscription.deliverSignal(subscription.supportFrame(status))));
    }

    /**
     * Registers a connection that subscribes with frames ({@code GET /ws/{tenant}}) and greets it
     * with {@code connected}; null when a limit refused it (it is then closed, with a code that says
     * whether to retry).
     */
    public ClientConnection open(String connectionId, Caller caller, Transport transport) {
        ClientConnection connection = register(connectionId, caller, transport);
        if (connection != null) {
            ObjectNode connected = frames.frame("connected").put("tenant_id", caller.tenantId())
                    .put("user_id", caller.userId()).put("role", caller.participantRole())
                    .put("connection_id", connectionId);
            frames.expiry(connected, caller.expiresAt());
            // what the client may send: it paces its subscriptions after a reconnect by these (an
            // event stream sends nothing: only how many channels it may hold concerns it)
            GatewayConfig.Limits limits = context.limits();
            ObjectNode stated = connected.putObject("limits").put("subscriptions", limits.subscriptionsPerConnection());
            if (!"sse".equals(transport.kind())) {
                stated.put("inbound_rate", limits.inboundRatePerSecond()).put("inbound_burst", limits.inboundBurst())
                        .put("max_frame_bytes", limits.maxFrameBytes())
                        .put("dashboard_sessions", limits.dashboardResumeSessions());
            }
            connection.send(connected.toString());
        }
        return connection;
    }

    /** The one-session shorthand ({@code /ws/{t}/session/{s}}, SSE): admitted before the upgrade. */
    public ClientConnection openSession(String connectionId, Caller caller, String sessionId, long lastSeq,
            Transport transport) {
        ClientConnection connection = register(connectionId, caller, transport);
        if (connection == null) {
            return null;
        }
        String refusal = startSession(connection, sessionId, lastSeq, true);
        if (refusal != null) {
            hub.unregister(connection);
            operators.disconnected(connection);
            connection.close(Disconnect.SESSION_FULL);
            return null;
        }
        return connection;
    }

    /** The dashboard shorthand ({@code /ws/{t}/dashboard}): staff, admitted before the upgrade. */
    public ClientConnection openDashboard(String connectionId, Caller caller, Transport transport) {
        ClientConnection connection = register(connectionId, caller, transport);
        if (connection == null) {
            return null;
        }
        DashboardSubscription dashboard = new DashboardSubscription(connection);
        connection.add(dashboard);
        hub.subscribe(dashboard);
        connection.send(frames.expiry(frames.frame("connected", Channel.DASHBOARD).put("tenant_id", caller.tenantId())
                .put("user_id", caller.userId()).put("role", caller.participantRole())
                .put("connection_id", connectionId), caller.expiresAt()).toString());
        return connection;
    }

    /** A {@code subscribe} frame without a dashboard's sessions. */
    public void subscribe(ClientConnection connection, String channelName, long lastSeq, String token) {
        subscribe(connection, channelName, lastSeq, token, Map.of());
    }

    /**
     * A {@code subscribe} frame: admits the channel and starts it, or answers an error frame.
     *
     * @param dashboardSessions for the dashboard: the sessions it shows and the last seq it has of each
     */
    public void subscribe(ClientConnection connection, String channelName, long lastSeq, String token,
            Map<String, Long> dashboardSessions) {
        Channel channel = Channel.parse(channelName);
        if (channel == null) {
            refuse(connection, "not_found", "No such channel; channels are session:<id>, dashboard, operators"
                    + " and stats.", channelName);
            return;
        }
        Subscription existing = connection.remove(channel.name());
        if (existing != null) {
            end(existing); // subscribing again starts over from the last_seq given now
        }
        Caller caller = connection.caller();
        switch (channel.kind()) {
            case SESSION -> {
                long turn = connection.admitting(channel.name());
                admission.admit(caller, channel.sessionId(), token).subscribe().with(verdict -> {
                    if (connection.admitted(channel.name(), turn)) { // else a later frame of the channel decides
                        admitted(connection, channel, lastSeq, verdict);
                    }
                }, failure -> {
                    if (connection.admitted(channel.name(), turn)) {
                        admitted(connection, channel, lastSeq, AccessAuthority.Verdict.UNAVAILABLE);
                    }
                });
            }
            case DASHBOARD -> {
                if (!caller.isStaff()) {
                    refuse(connection, "forbidden", "The dashboard is for staff.", channel.name());
                    return;
                }
                DashboardSubscription dashboard = new DashboardSubscription(connection, context, dashboardSessions);
                if (!connection.add(dashboard)) {
                    refuse(connection, "limit", "Too many subscriptions on this connection.", channel.name());
                    return;
                }
                hub.subscribe(dashboard);
                connection.send(frames.frame("subscribed", channel).put("replaying", dashboard.replaying())
                        .toString());
                dashboard.start();
            }
            case OPERATORS -> startTenantChannel(connection, caller.isStaff(), "The operators channel is for staff.",
                    new OperatorsSubscription(connection), operators::subscribe);
            case STATS -> startTenantChannel(connection, caller.isAdmin(), "The stats channel is for admins.",
                    new StatsSubscription(connection), stats::subscribe);
        }
    }

    /** An {@code unsubscribe} frame. */
    public void unsubscribe(ClientConnection connection, String channelName) {
        Subscription subscription = channelName == null ? null : connection.remove(channelName);
        boolean wasAdmitting = channelName != null && connection.cancelAdmission(channelName);
        if (subscription == null && !wasAdmitting) {
            refuse(connection, "not_found", "Not subscribed to this channel.", channelName);
            return;
        }
        if (subscription != null) {
            end(subscription);
        }
        connection.send(frames.frame("unsubscribed").put("channel", channelName).toString());
    }

    /** The transport is gone: forget the connection and tell the others its sessions lost a participant. */
    public void closed(ClientConnection connection) {
        List<Subscription> subscriptions = connection.subscriptions();
        connection.closedByPeer();
        hub.unregister(connection);
        subscriptions.forEach(this::endTenantChannel);
        operators.disconnected(connection);
        if (!hub.draining()) {
            for (Subscription subscription : subscriptions) {
                if (subscription instanceof SessionSubscription session) {
                    presence.localChange(session.session());
                }
            }
        }
    }

    private ClientConnection register(String connectionId, Caller caller, Transport transport) {
        ClientConnection connection = new ClientConnection(connectionId, caller, transport, context);
        Disconnect refusal = hub.register(connection);
        if (refusal != null) {
            connection.close(refusal);
            return null;
        }
        operators.connected(connection); // staff: online on the operators channel, on every instance
        return connection;
    }

    /** Starts a session subscription; returns why it could not start (a limit), or null. */
    private String startSession(ClientConnection connection, String sessionId, long lastSeq, boolean shorthand) {
        SessionKey session = new SessionKey(connection.caller().tenantId(), sessionId);
        boolean customer = !connection.caller().isStaff();
        SessionSubscription subscription = new SessionSubscription(connection, session, lastSeq, context,
                () -> new SessionSubscription.Present(presence.currentFrame(session), typists.current(session),
                        customer ? operators.supportStatus(session.tenantId()) : null),
                shorthand, this::failed);
        if (!connection.add(subscription)) {
            return "Too many subscriptions on this connection.";
        }
        if (!hub.subscribe(subscription)) {
            connection.remove(subscription.channel().name());
            subscription.end();
            return Disconnect.SESSION_FULL.reason();
        }
        subscription.start();
        presence.joined(session, connection.caller());
        return null;
    }

    /** A session channel's admission answered, and no later frame of the channel came meanwhile. */
    private void admitted(ClientConnection connection, Channel channel, long lastSeq, AccessAuthority.Verdict verdict) {
        switch (verdict) {
            case ALLOWED -> {
                String refusal = startSession(connection, channel.sessionId(), lastSeq, false);
                if (refusal != null) {
                    refuse(connection, "limit", refusal, channel.name());
                }
            }
            case NOT_FOUND -> refuse(connection, "not_found", "No such session for you.", channel.name());
            case UNAUTHORIZED -> refuse(connection, "forbidden", "Your token was refused.", channel.name());
            case UNAVAILABLE -> unavailableForNow(connection, channel.name(),
                    "Access could not be checked right now; subscribe again shortly.",
                    Disconnect.ADMISSION_UNAVAILABLE);
        }
    }

    /** A tenant-wide channel (operators, stats): the role allows it, then {@code start} gives its first frames. */
    private <S extends Subscription> void startTenantChannel(ClientConnection connection, boolean allowed,
            String forbidden, S subscription, Consumer<S> start) {
        String name = subscription.channel().name();
        if (!allowed) {
            refuse(connection, "forbidden", forbidden, name);
        } else if (!connection.add(subscription)) {
            refuse(connection, "limit", "Too many subscriptions on this connection.", name);
        } else {
            connection.send(frames.frame("subscribed", subscription.channel()).toString());
            start.accept(subscription);
        }
    }

    /**
     * A session's replay or catch-up could not go on (at the start, or later for a gap in the live
     * stream): the subscription ends. A channel answers an error, and one of history unavailable
     * tells the client to subscribe again ({@code resubscribe}); the shorthand socket closes, and so
     * does an event stream then, which cannot subscribe again: its client comes back with its last
     * seq (a stream's Last-Event-ID holds every channel's).
     */
    private void failed(SessionSubscription subscription, boolean notFound) {
        ClientConnection connection = subscription.connection();
        if (subscription.greetsAsConnection()) {
            connection.close(notFound ? Disconnect.SESSION_NOT_FOUND : Disconnect.HISTORY_UNAVAILABLE);
            return;
        }
        String name = subscription.channel().name();
        if (connection.remove(name) == subscription) {
            end(subscription);
        }
        if (notFound) {
            refuse(connection, "not_found", "No such session for you.", name);
        } else {
            unavailableForNow(connection, name,
                    "The session's history is unavailable right now; subscribe again with your last_seq.",
                    Disconnect.HISTORY_UNAVAILABLE);
        }
    }

    /**
     * A session channel that cannot be had right now (chat-api away): a socket is told to subscribe
     * again later; an event stream, which cannot, ends so that EventSource comes back with its positions.
     */
    private void unavailableForNow(ClientConnection connection, String channel, String message,
            Disconnect streamEnd) {
        if (connection.receiveOnly()) {
            connection.close(streamEnd);
        } else {
            connection.send(frames.channelUnavailable(message, channel));
        }
    }

    private void end(Subscription subscription) {
        endTenantChannel(subscription);
        hub.unsubscribe(subscription);
        if (subscription instanceof SessionSubscription session && !hub.draining()) {
            presence.localChange(session.session());
        }
    }

    private void endTenantChannel(Subscription subscription) {
        if (subscription instanceof OperatorsSubscription roster) {
            operators.unsubscribe(roster);
        } else if (subscription instanceof StatsSubscription figures) {
            stats.unsubscribe(figures);
        }
    }

    private void refuse(ClientConnection connection, String code, String message, String channel) {
        Log.debugf("subscription of %s to %s refused: %s", connection.connectionId(), channel, code);
        connection.send(frames.channelError(code, message, channel));
    }
}
