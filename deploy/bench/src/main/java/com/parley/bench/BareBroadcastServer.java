package com.parley.bench;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.vertx.core.AbstractVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.ServerWebSocket;

/**
 * The reference for the benchmark: the least a WebSocket broadcast server can do on Vert.x. Clients
 * connect to {@code /ws/{tenant}/session/{session}}; a publisher sends the same event JSON the
 * gateway reads from Kafka to {@code /publish}; each event is parsed and turned into a frame once
 * (Jackson, as the gateway does) and written to the session's sockets. No Kafka, no auth, no
 * recovery, no limits, no metrics: what is left is the cost of fan-out itself.
 */
public final class BareBroadcastServer extends AbstractVerticle {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, Set<ServerWebSocket>> SESSIONS = new ConcurrentHashMap<>();

    private final int port;

    BareBroadcastServer(int port) {
        this.port = port;
    }

    public static void main(String[] args) {
        int port = Integer.parseInt(args[0]);
        Vertx vertx = Vertx.vertx();
        // as many server verticles as Quarkus runs event loops (2 × cores)
        vertx.deployVerticle(() -> new BareBroadcastServer(port),
                new DeploymentOptions().setInstances(2 * Runtime.getRuntime().availableProcessors()))
                .onSuccess(id -> System.out.println("BARE READY " + port))
                .onFailure(failure -> {
                    failure.printStackTrace();
                    System.exit(1);
                });
    }

    @Override
    public void start() {
        vertx.createHttpServer(new HttpServerOptions().setPort(port).setHost("127.0.0.1"))
                .webSocketHandler(this::accept)
                .listen();
    }

    private void accept(ServerWebSocket socket) {
        String path = socket.path();
        if (path.equals("/publish")) {
            socket.textMessageHandler(BareBroadcastServer::broadcast);
            return;
        }
        String[] parts = path.split("/");
        if (parts.length != 5 || !parts[1].equals("ws") || !parts[3].equals("session")) {
            socket.reject(404);
            return;
        }
        String key = parts[2] + ":" + parts[4];
        SESSIONS.computeIfAbsent(key, k -> ConcurrentHashMap.newKeySet()).add(socket);
        socket.closeHandler(ignored -> SESSIONS.getOrDefault(key, Set.of()).remove(socket));
        socket.textMessageHandler(ignored -> { });
    }

    private static void broadcast(String text) {
        try {
            JsonNode event = JSON.readTree(text);
            ObjectNode frame = JSON.createObjectNode().put("type", "message_created");
            event.properties().forEach(field -> {
                if (!"type".equals(field.getKey())) {
                    frame.set(field.getKey(), field.getValue());
                }
            });
            String key = event.path("tenant_id").asText() + ":" + event.path("session_id").asText();
            String out = frame.toString();
            for (ServerWebSocket socket : SESSIONS.getOrDefault(key, Set.of())) {
                socket.writeTextMessage(out);
            }
        } catch (java.io.IOException e) {
            System.err.println("not JSON: " + e.getMessage());
        }
    }
}
