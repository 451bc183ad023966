package com.parley.infra;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;

/**
 * The whole system on one machine, on embedded defaults: PostgreSQL and Kafka with their data kept
 * in {@code .local/}, chat-api, two realtime-gateway instances and escalation-legacy. Ctrl-C stops
 * everything in reverse order.
 */
public final class LocalSystem {

    static final int POSTGRES_PORT = Integer.getInteger("parley.local.postgres-port", 55432);
    static final int KAFKA_PORT = Integer.getInteger("parley.local.kafka-port", 59092);
    static final int KAFKA_CONTROLLER_PORT = Integer.getInteger("parley.local.kafka-controller-port", 59093);
    static final int CHAT_API_PORT = Integer.getInteger("parley.local.chat-api-port", 8080);
    static final int[] GATEWAY_PORTS = {Integer.getInteger("parley.local.gateway-1-port", 8081),
            Integer.getInteger("parley.local.gateway-2-port", 8082)};
    static final int LEGACY_PORT = Integer.getInteger("parley.local.legacy-port", 8083);

    private LocalSystem() {
    }

    public static void main(String[] args) throws Exception {
        Path repo = Path.of(args.length > 0 ? args[0] : ".").toAbsolutePath().normalize();
        Path data = repo.resolve(".local");
        Path logs = data.resolve("logs");
        Files.createDirectories(logs);

        DevKeys keys = DevKeys.in(data.resolve("keys"));
        PostgresServer postgres = new PostgresServer(POSTGRES_PORT, data.resolve("postgres"), true);
        KafkaBroker kafka = new KafkaBroker(KAFKA_PORT, KAFKA_CONTROLLER_PORT, data.resolve("kafka"));
        List<AutoCloseable> started = new ArrayList<>();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("\nStopping ...");
            for (int i = started.size() - 1; i >= 0; i--) {
                try {
                    started.get(i).close();
                } catch (Exception e) {
                    System.err.println("while stopping: " + e);
                }
            }
            System.out.println("Stopped.");
            stopped.countDown();
        }, "local-system-stop"));

        System.out.println("Starting PostgreSQL 17 on " + POSTGRES_PORT + " and Kafka on " + KAFKA_PORT
                + " (data in " + data + ") ...");
        CompletableFuture.allOf(CompletableFuture.runAsync(postgres::start),
                CompletableFuture.runAsync(kafka::start)).join();
        started.add(postgres);
        started.add(kafka);

        Map<String, String> common = new HashMap<>();
        common.put("kafka.bootstrap.servers", kafka.bootstrapServers());
        common.put("mp.jwt.verify.publickey.location", keys.publicKeyFile().toUri().toString());
        common.put("mp.jwt.verify.issuer", DevTokens.ISSUER);
        common.put("mp.jwt.verify.audiences", DevTokens.AUDIENCE);

        Map<String, String> chatApiConfig = new HashMap<>(common);
        chatApiConfig.put("quarkus.datasource.jdbc.url", postgres.jdbcUrl());
        chatApiConfig.put("quarkus.datasource.username", PostgresServer.USER);
        chatApiConfig.put("quarkus.datasource.password", PostgresServer.PASSWORD);
        // the demo pages are served by the gateways and call chat-api's REST from there
        chatApiConfig.put("quarkus.http.cors.origins", demoOrigins());
        ServiceProcess chatApi = new ServiceProcess("chat-api", app(repo, "chat-api"), CHAT_API_PORT,
                chatApiConfig, logs.resolve("chat-api.log"));
        chatApi.start(Duration.ofSeconds(120));
        started.add(chatApi);
        System.out.println("chat-api           " + chatApi.baseUrl() + "  (OpenAPI: " + chatApi.baseUrl() + "/q/openapi)");

        List<ServiceProcess> gateways = new ArrayList<>();
        for (int i = 0; i < GATEWAY_PORTS.length; i++) {
            Map<String, String> gatewayConfig = new HashMap<>(common);
            gatewayConfig.put("parley.gateway.chat-api-url", chatApi.baseUrl());
            gatewayConfig.put("parley.gateway.instance-id", "local-gw-" + (i + 1));
            gateways.add(new ServiceProcess("realtime-gateway-" + (i + 1), app(repo, "realtime-gateway"),
                    GATEWAY_PORTS[i], gatewayConfig, logs.resolve("realtime-gateway-" + (i + 1) + ".log")));
        }
        ServiceProcess legacy = new ServiceProcess("escalation-legacy", app(repo, "escalation-legacy"),
                LEGACY_PORT, Map.of(), logs.resolve("escalation-legacy.log"), List.of("-Xmx64m", "-XX:+UseSerialGC"));
        List<ServiceProcess> rest = new ArrayList<>(gateways);
        rest.add(legacy);
        CompletableFuture.allOf(rest.stream()
                .map(s -> CompletableFuture.runAsync(() -> s.start(Duration.ofSeconds(120))))
                .toArray(CompletableFuture[]::new)).join();
        started.addAll(rest);
        for (ServiceProcess gateway : gateways) {
            System.out.println(pad(gateway.name()) + gateway.baseUrl());
        }
        System.out.println(pad(legacy.name()) + legacy.baseUrl());

        DevTokens tokens = new DevTokens(keys.privateKey());
        String customer = tokens.issue("acme", "alice", "user");
        String staff = tokens.issue("acme", "sam", "supporter");
        String gw1 = gateways.get(0).baseUrl().replace("http://", "ws://");
        String gw2 = gateways.get(1).baseUrl().replace("http://", "ws://");
        System.out.println();
        System.out.println("Tokens for tenant acme (valid 8 hours):");
        System.out.println("  customer alice   " + customer);
        System.out.println("  supporter sam    " + staff);
        System.out.println("Sockets: " + gw1 + "/ws/acme/session/<session-id>?last_seq=0   "
                + gw2 + "/ws/acme/dashboard   (token: Authorization header or ?token=)");
        String demo = "?tenant=acme&api=" + chatApi.baseUrl() + "&gateways=" + gateways.get(0).baseUrl() + ","
                + gateways.get(1).baseUrl() + "&token=";
        System.out.println();
        System.out.println("Demo pages (open each in its own browser window):");
        System.out.println("  customer widget    " + gateways.get(0).baseUrl() + "/demo/widget.html" + demo + customer);
        System.out.println("  support dashboard  " + gateways.get(1).baseUrl() + "/demo/dashboard.html" + demo + staff);
        System.out.println();
        System.out.println("A token for any tenant, user and role (user, supporter, admin, service):");
        System.out.println("  deploy/local/token.sh --tenant acme --user alice --role user");
        System.out.println("Logs: " + logs + "    Ctrl-C stops everything.");
        stopped.await();
    }

    /** The origins of the gateways' demo pages, by IP and by name. */
    private static String demoOrigins() {
        List<String> origins = new ArrayList<>();
        for (int port : GATEWAY_PORTS) {
            origins.add("http://127.0.0.1:" + port);
            origins.add("http://localhost:" + port);
        }
        return String.join(",", origins);
    }

    private static String pad(String name) {
        return String.format("%-19s", name);
    }

    private static Path app(Path repo, String module) {
        return repo.resolve(module).resolve("target/quarkus-app/quarkus-run.jar");
    }
}
