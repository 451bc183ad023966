package com.parley.chat.gateway;

import java.nio.file.Path;
import java.util.Map;

import com.parley.infra.ChatInfra;
import com.parley.infra.ChatSystem;
import com.parley.infra.ServiceProcess;

/**
 * The real system for the integration tests: PostgreSQL, Kafka, chat-api and two gateway
 * instances, each service in its own JVM as in production, assembled as the local run does.
 */
final class Cluster {

    final ChatInfra infra = ChatInfra.get();
    final ChatSystem system;
    final ServiceProcess chatApi;
    final ServiceProcess gateway1;
    final ServiceProcess gateway2;

    Cluster(Map<String, String> gatewayOverrides) {
        this(gatewayOverrides, false);
    }

    /** @param withLegacy escalation-legacy too */
    Cluster(Map<String, String> gatewayOverrides, boolean withLegacy, String... embeddingOrigins) {
        ChatSystem.Builder builder = ChatSystem.builder(Path.of("..").toAbsolutePath().normalize(),
                Path.of("target", "it-logs").toAbsolutePath(), infra.serviceConfig())
                .gatewayConfig(gatewayOverrides)
                .embeddedBy(embeddingOrigins);
        if (withLegacy) {
            builder.legacy(com.parley.infra.FreePorts.next());
        }
        system = builder.start();
        chatApi = system.chatApi();
        gateway1 = system.gateways().get(0);
        gateway2 = system.gateways().get(1);
    }

    static String ws(ServiceProcess gateway, String path) {
        return "ws://127.0.0.1:" + gateway.port() + path;
    }

    String token(String tenant, String user, String role) {
        return infra.tokens().issue(tenant, user, role);
    }

    void stop() {
        system.close();
    }
}
