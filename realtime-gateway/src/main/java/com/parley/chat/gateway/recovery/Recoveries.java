package com.parley.chat.gateway.recovery;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import com.parley.chat.gateway.auth.Caller;
import com.parley.chat.gateway.config.GatewayConfig;
import com.parley.chat.gateway.metrics.GatewayMetrics;
import com.parley.chat.gateway.protocol.SessionKey;

/** Starts a {@link SessionRecovery} for each subscription, with what every recovery shares. */
@ApplicationScoped
public class Recoveries {

    private final HistorySource history;
    private final RecentEvents recent;
    private final GatewayConfig config;
    private final GatewayMetrics metrics;

    @Inject
    public Recoveries(HistorySource history, RecentEvents recent, GatewayConfig config, GatewayMetrics metrics) {
        this.history = history;
        this.recent = recent;
        this.config = config;
        this.metrics = metrics;
    }

    /** A recovery for a subscription that has every event up to {@code lastSeq}; call start() once registered. */
    public SessionRecovery create(Caller caller, SessionKey session, long lastSeq, SessionRecovery.Listener listener) {
        return new SessionRecovery(caller, session, lastSeq, listener, history, recent, config.recovery(), metrics);
    }
}
