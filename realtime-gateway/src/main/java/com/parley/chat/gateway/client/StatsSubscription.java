package com.parley.chat.gateway.client;

import com.parley.chat.gateway.protocol.Channel;
import com.parley.chat.gateway.protocol.EventFrame;

/** Admins' {@code stats} channel: a {@code tenant_stats} frame every few seconds, no session events. */
public final class StatsSubscription extends Subscription {

    public StatsSubscription(ClientConnection connection) {
        super(connection, Channel.STATS);
    }

    @Override
    public void deliver(EventFrame event) {
        // TenantStats writes its frames with deliverSignal
    }
}
