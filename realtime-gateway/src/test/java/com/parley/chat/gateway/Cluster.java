package com.parley.chat.gateway;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import com.parley.infra.ChatInfra;
import com.parley.infra.FreePorts;
import com.parley.infra.ServiceProcess;

/**
 * The real system for the integration tests: PostgreSQL, Kafka, chat-api and two gateway
 * instances, each service in its own JVM as in production.
 */
final class Cluster {

    final ChatInfra infra = ChatInfra.get();
    final ServiceProcess chatApi;
    final ServiceProcess gateway1;
    final ServiceProcess gateway2;

    Cluster(Map<String, String> gatewayOverrides) {
        Path repo = Path.of("..").toAbsolutePath().normalize();
        Path logs = Path.of("target", "it-logs").toAbsolutePath();
        int port1 = FreePorts.next();
        int port2 = FreePorts.next();
        Map<String, String> chatConfig = new HashMap<>(infra.serviceConfig());
        // the demo pages are served by the gateways and call chat-api from there
        chatConfig.put("quarkus.http.cors.origins", "http://127.0.0.1:" + port1 + ",http://127.0.0.1:" + port2);
        chatApi = new ServiceProcess("chat-api", repo.resolve("chat-api/target/quarkus-app/quarkus-run.jar"),
                FreePorts.next(), chatConfig, logs.resolve("chat-api.log"));
        chatApi.start(Duration.ofSeconds(120));
        gateway1 = gateway(repo, logs, "gw-1", port1, gatewayOverrides);
        gateway2 = gateway(repo, logs, "gw-2", port2, gatewayOverrides);
        CompletableFuture.allOf(CompletableFuture.runAsync(() -> gateway1.start(Duration.ofSeconds(120))),
                CompletableFuture.runAsync(() -> gateway2.start(Duration.ofSeconds(120)))).join();
    }

    private ServiceProcess gateway(Path repo, Path logs, String id, int port, Map<String, String> overrides) {
        Map<String, String> config = new HashMap<>(infra.serviceConfig());
        config.remove("quarkus.datasource.jdbc.url");
        config.remove("quarkus.datasource.username");
        config.remove("quarkus.datasource.password");
        config.put("parley.gateway.chat-api-url", chatApi.baseUrl());
        config.put("parley.gateway.instance-id", id);
        config.putAll(overrides);
        return new ServiceProcess("realtime-gateway-" + id,
                repo.resolve("realtime-gateway/target/quarkus-app/quarkus-run.jar"), port, config,
                logs.resolve("realtime-gateway-" + id + ".log"));
    }

    static String ws(ServiceProcess gateway, String path) {
        return "ws://127.0.0.1:" + gateway.port() + path;
    }

    String token(String tenant, String user, String role) {
        return infra.tokens().issue(tenant, user, role);
    }

    void stop() {
        gateway1.stop();
        gateway2.stop();
        chatApi.stop();
    }
}
