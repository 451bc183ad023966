package com.parley.chat.api.health;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;

import com.parley.chat.api.messaging.OutboxRelay;

/**
 * The relay's thread is running. If it died, writes would still succeed and pile up in the outbox
 * with nobody to publish them; a liveness failure makes Kubernetes restart chat-api, whose new
 * relay publishes the backlog (nothing is lost: the rows wait in PostgreSQL).
 */
@Liveness
@ApplicationScoped
public class OutboxRelayLiveness implements HealthCheck {

    @Inject
    OutboxRelay relay;

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("outbox-relay-thread").status(relay.alive()).build();
    }
}
