package com.parley.chat.gateway;

import java.nio.file.Path;
import java.time.Duration;
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

    /** A token that expires {@code ttl} from now. */
    String token(String tenant, String user, String role, Duration ttl) {
        return infra.tokens().issue(tenant, user, role, ttl);
    }

    /** A token with the {@code name} claim as well. */
    String namedToken(String tenant, String user, String role, String name) {
        return infra.tokens().issueNamed(tenant, user, role, name);
    }

    /**
     * Waits until a typing signal crosses from each gateway to the other: their signal consumers
     * start from the latest offset once they joined their groups, and a test that types in its first
     * second would otherwise race that join (a production client only misses a typing indicator).
     */
    void awaitSignalsBothWays() {
        String tenant = "t-warmup-" + java.util.UUID.randomUUID();
        String session = io.restassured.RestAssured.given().auth().oauth2(token(tenant, "warm", "user"))
                .contentType(io.restassured.http.ContentType.JSON).body("{}")
                .post(chatApi.baseUrl() + "/api/tenants/" + tenant + "/sessions").then().statusCode(201).extract()
                .path("id");
        String path = "/ws/" + tenant + "/session/" + session;
        try (WsClient one = WsClient.connect(ws(gateway1, path), token(tenant, "warm", "user"));
                WsClient two = WsClient.connect(ws(gateway2, path), token(tenant, "sam", "supporter"))) {
            one.awaitType("connected");
            two.awaitType("connected");
            crossing(one, two);
            crossing(two, one);
        }
    }

    private static void crossing(WsClient from, WsClient to) {
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            from.sendJson(Map.of("type", "typing", "is_typing", true));
            try {
                to.await(f -> "typing_indicator".equals(f.path("type").asText()), java.time.Duration.ofSeconds(1));
                return;
            } catch (AssertionError notYet) {
                // the other gateway's consumer has not joined yet
            }
        }
        throw new AssertionError("typing signals did not cross between the gateways within a minute");
    }

    void stop() {
        system.close();
    }
}
