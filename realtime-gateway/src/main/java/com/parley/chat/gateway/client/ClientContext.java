package com.parley.chat.gateway.client;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import com.parley.chat.gateway.config.GatewayConfig;
import com.parley.chat.gateway.metrics.GatewayMetrics;
import com.parley.chat.gateway.protocol.Frames;
import com.parley.chat.gateway.recovery.Recoveries;

/**
 * What every client connection of this instance shares: limits, meters, frames, recoveries.
 * Read through methods: an application-scoped bean is injected as a client proxy, whose fields are empty.
 */
@ApplicationScoped
public class ClientContext {

    private final GatewayConfig config;
    private final GatewayMetrics metrics;
    private final Frames frames;
    private final Recoveries recoveries;

    @Inject
    public ClientContext(GatewayConfig config, GatewayMetrics metrics, Frames frames, Recoveries recoveries) {
        this.config = config;
        this.metrics = metrics;
        this.frames = frames;
        this.recoveries = recoveries;
    }

    GatewayConfig config() {
        return config;
    }

    /** The limits of every connection, as configured. */
    public GatewayConfig.Limits limits() {
        return config.limits();
    }

    GatewayMetrics metrics() {
        return metrics;
    }

    public Frames frames() {
        return frames;
    }

    Recoveries recoveries() {
        return recoveries;
    }
}
