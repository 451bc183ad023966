package com.parley.chat.gateway.messaging;

import java.util.Collection;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.apache.kafka.common.TopicPartition;

import com.parley.chat.gateway.hub.SessionHub;
import com.parley.chat.gateway.recovery.RecentEvents;

import io.quarkus.logging.Log;

/**
 * The gateway never commits offsets, so a consumer that rejoins its group (after a broker restart
 * or a long pause) starts again at the latest offset, and events published meanwhile are not in
 * its stream. They are in chat-api's history: every local client looks for what it missed there.
 */
@ApplicationScoped
public class CatchUpOnRebalance {

    @Inject
    SessionHub hub;

    @Inject
    RecentEvents recent;

    /** The event stream's consumer got its partitions (at start, or again after a rebalance). */
    public void assigned(Collection<TopicPartition> partitions) {
        recent.clear();
        int clients = hub.catchUpAll();
        if (clients > 0) {
            Log.infof("partitions assigned again (%d): %d clients look for missed events in history",
                    partitions.size(), clients);
        }
    }
}
