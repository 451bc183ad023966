package com.parley.chat.api.health;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;

import com.parley.chat.api.messaging.RelayStatus;

import io.smallrye.health.api.Wellness;

/**
 * Kafka as the outbox relay sees it. A wellness check on purpose: writes keep succeeding while
 * Kafka is away (the outbox holds the events), so a Kafka outage must neither restart chat-api nor
 * take it out of the load balancer. Alert on it and on the backlog metric instead.
 */
@Wellness
@ApplicationScoped
public class KafkaRelayHealth implements HealthCheck {

    @Inject
    RelayStatus relay;

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder builder = HealthCheckResponse.named("kafka-outbox-relay")
                .withData("backlog", relay.backlog());
        if (relay.lastSuccess() != null) {
            builder.withData("last_publish", relay.lastSuccess().toString());
        }
        if (relay.lastError() != null) {
            return builder.withData("error", relay.lastError()).down().build();
        }
        return builder.up().build();
    }
}
