package com.parley.chat.gateway.messaging;

import java.time.Duration;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;
import org.eclipse.microprofile.health.Readiness;

/**
 * The session event stream: ready once its consumer has its partitions (events published from then
 * on reach this instance); alive while its thread keeps polling (a thread that died or hangs in
 * the fan-out would leave every client of the instance without live events).
 */
@ApplicationScoped
public class EventStreamHealth {

    private static final Duration STUCK = Duration.ofSeconds(30);

    @Inject
    EventStream stream;

    @Produces
    @Readiness
    HealthCheck assigned() {
        return () -> HealthCheckResponse.named("event-stream").status(stream.assigned()).build();
    }

    @Produces
    @Liveness
    HealthCheck polling() {
        return () -> HealthCheckResponse.named("event-stream-thread").status(stream.pollingWithin(STUCK)).build();
    }
}
