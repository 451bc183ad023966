package com.parley.chat.gateway.coordinator;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import com.parley.chat.gateway.hub.SessionHub;
import com.parley.chat.gateway.presence.PresenceTracker;

import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
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

    /** The first thing Quarkus does on SIGTERM when quarkus.shutdown.delay-enabled is on. */
    void onShutdownDelay(@Observes ShutdownDelayInitiatedEvent event) {
        drain();
    }

    void onStop(@Observes @Priority(1) ShutdownEvent event) {
        drain();
    }

    private synchronized void drain() {
        if (hub.draining()) {
            return;
        }
        presence.withdrawAll();
        hub.drain();
        try {
            Thread.sleep(300); // let the close frames leave before the server stops
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
