package com.parley.chat.gateway.client;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import com.parley.chat.gateway.config.GatewayConfig;
import com.parley.chat.gateway.metrics.GatewayMetrics;
import com.parley.chat.gateway.protocol.Frames;
import com.parley.chat.gateway.recovery.Recoveries;

/** What every client connection of this instance shares: limits, meters, frames, recoveries. */
@ApplicationScoped
public class ClientContext {

    final GatewayConfig config;
    final GatewayMetrics metrics;
    final Frames frames;
    final Recoveries recoveries;

    @Inject
    public ClientContext(GatewayConfig config, GatewayMetrics metrics, Frames frames, Recoveries recoveries) {
        this.config = config;
        this.metrics = metrics;
        this.frames = frames;
        this.recoveries = recoveries;
    }

    public Frames frames() {
        return frames;
    }
}
