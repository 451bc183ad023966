package com.parley.chat.gateway;

import java.nio.file.Path;
import java.util.Map;
import java.util.function.UnaryOperator;

import com.parley.infra.ChatInfra;
import com.parley.infra.ChatSystem;
import com.parley.infra.FreePorts;
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
        this(gatewayOverrides, builder -> builder);
    }

    /**
     * @param withLegacy escalation-legacy too
     * @param embeddingOrigins sites that embed the widget
     */
    Cluster(Map<String, String> gatewayOverrides, boolean withLegacy, String... embeddingOrigins) {
        this(gatewayOverrides, builder -> (withLegacy ? builder.legacy(FreePorts.next()) : builder)
                .embeddedBy(embeddingOrigins));
    }

    /** @param options whatever else the test needs of the system (escalation-legacy, tracing, ...) */
    Cluster(Map<String, String> gatewayOverrides, UnaryOperator<ChatSystem.Builder> options) {
        system = options.apply(ChatSystem.builder(Path.of("..").toAbsolutePath().normalize(),
                Path.of("target", "it-logs").toAbsolutePath(), infra.serviceConfig())
                .gatewayConfig(gatewayOverrides)).start();
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
