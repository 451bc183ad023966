package com.parley.chat.gateway.hub;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import com.parley.chat.gateway.messaging.PresenceTracker;

import io.quarkus.runtime.ShutdownEvent;

/**
 * On SIGTERM: participants leave presence everywhere, then every socket closes with 1012 so that
 * clients reconnect to another instance at once and resume from their last seq.
 */
@ApplicationScoped
public class GracefulShutdown {

    @Inject
    SessionHub hub;

    @Inject
    PresenceTracker presence;

    void onStop(@Observes @Priority(1) ShutdownEvent event) {
        presence.withdrawAll();
        hub.drain();
        try {
            Thread.sleep(300); // let the close frames leave before the server stops
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
