package com.parley.chat.gateway.health;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import com.parley.chat.gateway.chatapi.ChatApiClient;
import com.parley.chat.gateway.hub.SessionHub;

import io.smallrye.health.api.AsyncHealthCheck;
import io.smallrye.mutiny.Uni;

/** Ready only when chat-api answers (recovery and sends need it) and the instance is not draining. */
@Readiness
@ApplicationScoped
public class ChatApiHealth implements AsyncHealthCheck {

    @Inject
    ChatApiClient chatApi;

    @Inject
    SessionHub hub;

    @Override
    public Uni<HealthCheckResponse> call() {
        return chatApi.reachable().map(up -> HealthCheckResponse.named("chat-api")
                .status(up && !hub.draining())
                .withData("connections", hub.connectionCount())
                .withData("draining", hub.draining())
                .build());
    }
}
