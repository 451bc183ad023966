package com.parley.chat.api.config;

import java.time.Duration;
import java.util.Optional;

import io.quarkus.runtime.annotations.StaticInitSafe;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Every tunable of chat-api; documented in chat-api/README.md. */
@StaticInitSafe
@ConfigMapping(prefix = "parley.chat-api")
public interface ChatApiConfig {

    Messages messages();

    Paging paging();

    Outbox outbox();

    SubscriptionTokens subscriptionTokens();

    WriteLimits writeLimits();

    SessionWrites sessionWrites();

    Posts posts();

    SavedReplies savedReplies();

    EmptyChats emptyChats();

    Claims claims();

    /**
     * Chats held by an operator who left: once no gateway has announced them for
     * {@code release-when-offline}, their open chats go back to the queue (docs/decisions.md).
     */
    interface Claims {
        /** How long an operator may be offline everywhere before their open chats are released; 0: never. */
        @WithDefault("5M")
        Duration releaseWhenOffline();

        /** The gateways' signals topic, where they announce the staff connected to them. */
        @WithDefault("chat.signals")
        String signalsTopic();

        /** How often chat-api looks for operators who left. */
        @WithDefault("15S")
        Duration checkEvery();
    }

    /** Open chats nobody wrote in (a visitor opened the widget and left) are closed after a while. */
    interface EmptyChats {
        /** Off: they stay open until staff close them. */
        @WithDefault("true")
        boolean enabled();

        /** How long after its start a chat without any message is closed. */
        @WithDefault("30M")
        Duration closeAfter();

        /** How often chat-api looks (the scheduler's interval; read at start). */
        @WithDefault("1M")
        Duration checkEvery();
    }

    /** The staff's saved replies (docs/decisions.md, "saved replies"). */
    interface SavedReplies {
        /** How many one tenant may keep. */
        @WithDefault("500")
        int maxPerTenant();
    }

    /**
     * Posts to sessions whose last post this instance wrote share statements: those that arrive
     * while a statement is in flight go together in the next (docs/decisions.md, group commit).
     */
    interface Posts {
        /** Statements of posts in flight at a time. */
        @WithDefault("1")
        int writers();

        /** Most posts in one statement. */
        @WithDefault("32")
        int maxBatch();
    }

    /**
     * Writers of one session wait for their turn without holding a database connection
     * (docs/decisions.md); beyond these bounds they get 503 with Retry-After.
     */
    interface SessionWrites {
        /** Writers of one session that may wait on this instance while one writes. */
        @WithDefault("64")
        int maxWaiting();

        /** How long a writer waits for its turn. */
        @WithDefault("5S")
        Duration maxWait();
    }

    /**
     * Writes (new sessions, messages) per user and per tenant: one token must not be able to fill
     * the database or a gateway's memory. Beyond them: 429 problem with Retry-After.
     */
    interface WriteLimits {
        @WithDefault("10")
        double perUserPerSecond();

        @WithDefault("50")
        int perUserBurst();

        @WithDefault("1000")
        double perTenantPerSecond();

        @WithDefault("2000")
        int perTenantBurst();
    }

    /** Largest request body accepted before a 413 problem, in bytes. */
    @WithDefault("65536")
    int maxRequestBytes();

    /**
     * Short-lived tokens that let a participant subscribe to a session on any gateway, which
     * verifies them with chat-api's public key instead of asking chat-api (docs/decisions.md).
     */
    interface SubscriptionTokens {
        /** PEM (PKCS#8) RSA private key; without it no token is issued and gateways ask chat-api. */
        Optional<String> privateKeyLocation();

        /** The {@code iss} of the tokens; gateways accept only this issuer. */
        @WithDefault("https://chat-api.parley.local")
        String issuer();

        /** How long a token lets its holder (re)subscribe. */
        @WithDefault("1H")
        Duration ttl();
    }

    interface Messages {
        /** Longest message content after trimming, in characters. */
        @WithDefault("4000")
        int maxLength();

        /** Longest client_message_id, in characters. */
        @WithDefault("128")
        int maxClientMessageIdLength();

        /** Largest metadata object (serialized JSON), in bytes. */
        @WithDefault("4096")
        int maxMetadataBytes();
    }

    interface Paging {
        @WithDefault("20")
        int defaultSize();

        @WithDefault("100")
        int maxSize();

        /** Most events one history page returns. */
        @WithDefault("500")
        int maxHistoryPage();

        /** Longest text a session list searches for ({@code q}), in characters. */
        @WithDefault("200")
        int maxSearchLength();

        /**
         * Longest a search may read the tenant's messages (PostgreSQL's statement timeout for it):
         * a slower one is stopped and answered 503 search-too-slow, so that searches on a large
         * tenant never hold the database's connections from the writers.
         */
        @WithDefault("5s")
        Duration searchTimeout();
    }

    interface Outbox {
        /** Topic of session events. */
        @WithDefault("chat.message-events")
        String topic();

        /** Topic of tenant-wide events (admins' notices), keyed by tenant. */
        @WithDefault("chat.tenant-events")
        String tenantTopic();

        /** Value of the ce_source header. */
        @WithDefault("/parley/chat-api")
        String ceSource();

        /**
         * Whether this instance's relay publishes the outbox. Off only where something else publishes
         * it (the benchmark's change-data-capture relay, docs/decisions.md); rows then stay until that
         * publisher removes them.
         */
        @WithDefault("true")
        boolean relayEnabled();

        /** Most rows the relay publishes per transaction. */
        @WithDefault("200")
        int batchSize();

        /** How often the relay looks for rows when no commit woke it (safety net, other instances). */
        @WithDefault("1S")
        Duration pollInterval();

        /** How long the relay waits for Kafka to acknowledge a batch. */
        @WithDefault("15S")
        Duration sendTimeout();

        /** First and longest pause after a failed publish. */
        @WithDefault("200MS")
        Duration retryBackoffMin();

        @WithDefault("5S")
        Duration retryBackoffMax();
    }
}
