package com.parley.chat.gateway.config;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import io.quarkus.runtime.annotations.StaticInitSafe;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Every tunable of the gateway; documented in realtime-gateway/README.md. */
@StaticInitSafe
@ConfigMapping(prefix = "parley.gateway")
public interface GatewayConfig {

    /** Names this instance in presence signals and logs; unique per instance. */
    @WithDefault("${HOSTNAME:gateway}")
    String instanceId();

    /** Which transports are on: ws, sse or both (the migration switch). */
    @WithDefault("ws,sse")
    Set<String> transports();

    /** Base URL of chat-api. */
    @WithDefault("http://127.0.0.1:8080")
    String chatApiUrl();

    /**
     * HTTP connections to chat-api at most (one request each at a time): the messages sent over the
     * sockets, reads, claims and admission checks in flight at once. Beyond, they wait in the gateway.
     */
    @WithDefault("50")
    int chatApiConnections();

    /** Browser origins allowed to open sockets; "*" allows any (and requests without Origin). */
    @WithDefault("*")
    List<String> allowedOrigins();

    /** How long a "may open this session" answer of chat-api is reused. */
    @WithDefault("30S")
    Duration accessCacheTtl();

    Limits limits();

    SubscriptionTokens subscriptionTokens();

    Heartbeat heartbeat();

    Recovery recovery();

    Presence presence();

    Operators operators();

    Stats stats();

    /** Admins' live figures on the {@code stats} channel. */
    interface Stats {
        /** How often a tenant_stats frame is sent (and instances announce their connection counts). */
        @WithDefault("5S")
        Duration interval();
    }

    /** Staff status on the {@code operators} channel (SPEC 6a). */
    interface Operators {
        /** Open sessions held at which an available operator counts as busy by itself. */
        @WithDefault("5")
        int busyAt();

        /** How often an instance re-announces the staff connected to it. */
        @WithDefault("2S")
        Duration announceInterval();

        /** Staff of an instance that stopped announcing (it died) go offline after this. */
        @WithDefault("6S")
        Duration ttl();
    }

    /**
     * chat-api's subscription tokens: with its public key a gateway admits a participant to a
     * session without asking chat-api (docs/decisions.md). Without a key every such question goes
     * to chat-api.
     */
    interface SubscriptionTokens {
        /** PEM public key of chat-api's subscription token signing key (a path or a file: URI). */
        Optional<String> publicKeyLocation();

        @WithDefault("https://chat-api.parley.local")
        String issuer();
    }

    /** Verified bearer and subscription tokens are remembered until they expire, up to this many. */
    @WithDefault("50000")
    int verifiedTokenCache();

    interface Limits {
        /**
         * Connections of one user on this instance; a newer one replaces the oldest (closed with
         * 4409), so a user's tabs can never take a tenant's slots.
         */
        @WithDefault("5")
        int connectionsPerUser();

        /** Subscriptions to one session on this instance (widget tabs and staff together). */
        @WithDefault("50")
        int connectionsPerSession();

        /** Connections of one tenant on this instance: a capacity ceiling, refused with 1013. */
        @WithDefault("10000")
        int connectionsPerTenant();

        /** Channels one connection may follow at once. */
        @WithDefault("100")
        int subscriptionsPerConnection();

        /** Sessions a dashboard may name to be replayed from their last seq when it subscribes. */
        @WithDefault("500")
        int dashboardResumeSessions();

        /** Largest inbound text frame handled; a larger one gets an error frame. */
        @WithDefault("16384")
        int maxFrameBytes();

        /** Inbound frames per second per connection (token bucket rate) ... */
        @WithDefault("10")
        double inboundRatePerSecond();

        /**
         * ... and its burst: enough for a client to subscribe again to every channel it may hold
         * ({@link #subscriptionsPerConnection()}) at once after a reconnect, with room to spare.
         */
        @WithDefault("120")
        int inboundBurst();

        /**
         * Refused frames after which a flooding connection is closed (1008): a bucket of this many
         * refusals that refills at the inbound rate (a steady flood is closed even when a frame gets
         * through now and then).
         */
        @WithDefault("50")
        int floodCloseAfter();

        /**
         * Bytes written to a client but not yet taken by its socket; beyond it the client is closed
         * (1013). Bounds the memory one client that stops reading can hold.
         */
        @WithDefault("1048576")
        int outboundQueueBytes();

        /** Frames waiting and none taken by the client's socket for this long: closed (1013). */
        @WithDefault("10S")
        Duration outboundStallTimeout();

        /**
         * A connection the gateway closed whose socket is still open this long after (a client
         * that stops reading never takes the close frame): the socket is reset, so a stuck reader
         * holds nothing.
         */
        @WithDefault("2S")
        Duration closeGrace();

        /**
         * How soon a connection's "still typing" goes to the others again: a repeat sooner is
         * dropped (a client that says so on every keystroke). Below the browser client's refresh
         * (5 s), well below the 10 s after which clients forget a silent typist.
         */
        @WithDefault("2S")
        Duration typingRepeat();

        /**
         * A connection's messages to one session that wait for the one before them to be stored (they
         * go to chat-api one at a time, in the order sent); one more is answered {@code unavailable},
         * to be sent again. Bounds what a client can pile up while chat-api is slow; the browser
         * client holds at most 100 messages on their way.
         */
        @WithDefault("100")
        int messagesWaiting();
    }

    interface Heartbeat {
        /** WebSocket ping interval (also set as quarkus.websockets-next.server.auto-ping-interval). */
        @WithDefault("25S")
        Duration pingInterval();

        /** A connection that sent nothing (not even a pong) for this long is closed. */
        @WithDefault("60S")
        Duration silenceTimeout();
    }

    interface Recovery {
        /** Events per history request to chat-api. */
        @WithDefault("200")
        int pageSize();

        /**
         * The last events of each session kept in memory to resume reconnecting clients without a
         * history request (0: always ask chat-api). About 0.5 KB each, for every session with recent
         * activity: every instance reads every event.
         */
        @WithDefault("32")
        int recentEvents();

        /**
         * All windows together hold at most this much frame text (bytes of ASCII JSON): beyond it
         * the least recently active sessions leave (their clients resume from history). Bounds
         * what one tenant's flood of sessions can make every instance hold.
         */
        @WithDefault("67108864")
        long recentEventsMaxBytes();

        /** A session without events for this long leaves the in-memory window. */
        @WithDefault("5M")
        Duration recentIdle();

        /** A client further behind than this gets resync_required instead of a replay. */
        @WithDefault("2000")
        int maxReplayEvents();
    }

    interface Presence {
        /** How often an instance re-announces its participants. */
        @WithDefault("10S")
        Duration announceInterval();

        /** Joins and leaves of a session within this window are announced together. */
        @WithDefault("100ms")
        Duration coalesce();

        /** Participants of an instance that stopped announcing vanish after this. */
        @WithDefault("30S")
        Duration ttl();
    }
}
