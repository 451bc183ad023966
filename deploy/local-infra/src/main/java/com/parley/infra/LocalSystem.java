package com.parley.infra;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The whole system on one machine, on embedded defaults: PostgreSQL and Kafka with their data kept
 * in {@code .local/}, chat-api, two realtime-gateway instances, escalation-legacy and a shop that
 * embeds the widget ({@link DemoShop}). Ctrl-C stops everything in reverse order.
 */
public final class LocalSystem {

    static final int POSTGRES_PORT = Integer.getInteger("parley.local.postgres-port", 55432);
    static final int KAFKA_PORT = Integer.getInteger("parley.local.kafka-port", 59092);
    static final int KAFKA_CONTROLLER_PORT = Integer.getInteger("parley.local.kafka-controller-port", 59093);
    static final int CHAT_API_PORT = Integer.getInteger("parley.local.chat-api-port", 8080);
    static final int[] GATEWAY_PORTS = {Integer.getInteger("parley.local.gateway-1-port", 8081),
            Integer.getInteger("parley.local.gateway-2-port", 8082)};
    static final int LEGACY_PORT = Integer.getInteger("parley.local.legacy-port", 8083);
    /** A customer's web shop with the widget embedded, on an origin of its own. */
    static final int SHOP_PORT = Integer.getInteger("parley.local.shop-port", 8084);
    /** Every port the local system listens on, by the name of its {@code -Dparley.local.<name>-port} property. */
    static final Map<String, Integer> PORTS = ports();

    private LocalSystem() {
    }

    private static Map<String, Integer> ports() {
        Map<String, Integer> ports = new LinkedHashMap<>();
        ports.put("chat-api", CHAT_API_PORT);
        ports.put("gateway-1", GATEWAY_PORTS[0]);
        ports.put("gateway-2", GATEWAY_PORTS[1]);
        ports.put("legacy", LEGACY_PORT);
        ports.put("shop", SHOP_PORT);
        ports.put("postgres", POSTGRES_PORT);
        ports.put("kafka", KAFKA_PORT);
        ports.put("kafka-controller", KAFKA_CONTROLLER_PORT);
        return ports;
    }

    public static void main(String[] args) throws Exception {
        Path repo = Path.of(args.length > 0 ? args[0] : ".").toAbsolutePath().normalize();
        Map<String, Integer> busy = portsInUse();
        if (!busy.isEmpty()) {
            busy.forEach((name, port) -> System.err.println("Port " + port + " (" + name + ") is in use."));
            String first = busy.keySet().iterator().next();
            System.err.println("If the local system runs already, it is up: stop it with Ctrl-C where it runs. Otherwise"
                    + " stop what holds the port, or start on another one:\n  deploy/local/start.sh -Dparley.local."
                    + first + "-port=" + (busy.get(first) + 1000) + "\n(the ports: " + String.join(", ",
                            PORTS.keySet().stream().map(name -> "-Dparley.local." + name + "-port").toList()) + ")");
            System.exit(1);
        }
        Path data = repo.resolve(".local");
        Path logs = data.resolve("logs");
        Files.createDirectories(logs);

        DevKeys keys = DevKeys.in(data.resolve("keys"));
        PostgresServer postgres = new PostgresServer(POSTGRES_PORT, data.resolve("postgres"), true);
        KafkaBroker kafka = new KafkaBroker(KAFKA_PORT, KAFKA_CONTROLLER_PORT, data.resolve("kafka"));
        List<AutoCloseable> started = new ArrayList<>();
        CountDownLatch stopped = new CountDownLatch(1);
        AtomicBoolean stopping = new AtomicBoolean();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stopping.set(true);
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
        kafka.onUnexpectedExit(code -> reportExit("Kafka", code, data.resolve("kafka/broker.log"), stopping));

        ChatSystem system = ChatSystem.builder(repo, logs, ChatInfra.serviceConfig(postgres, kafka, keys,
                DevKeys.in(data.resolve("subscription-keys"))))
                .chatApiPort(CHAT_API_PORT).gatewayPorts(GATEWAY_PORTS).legacy(LEGACY_PORT)
                .embeddedBy("http://localhost:" + SHOP_PORT)
                .chatApiConfig(given("parley.chat-api.")).gatewayConfig(given("parley.gateway.")).start();
        started.add(system);
        ServiceProcess chatApi = system.chatApi();
        List<ServiceProcess> gateways = system.gateways();
        List<ServiceProcess> services = new ArrayList<>(List.of(chatApi, system.legacy()));
        services.addAll(gateways);
        for (ServiceProcess service : services) {
            service.onUnexpectedExit(code -> reportExit(service.name(), code, service.logFile(), stopping));
        }
        System.out.println(pad("chat-api") + chatApi.baseUrl() + "  (OpenAPI: " + chatApi.baseUrl() + "/q/openapi)");
        for (ServiceProcess gateway : gateways) {
            System.out.println(pad(gateway.name()) + gateway.baseUrl());
        }
        System.out.println(pad(system.legacy().name()) + system.legacy().baseUrl());

        DevTokens tokens = new DevTokens(keys.privateKey());
        DemoShop shop = new DemoShop(SHOP_PORT, tokens, "acme", chatApi.baseUrl(),
                gateways.get(0).baseUrl() + "," + gateways.get(1).baseUrl()).start();
        started.add(shop);
        String customer = tokens.issueNamed("acme", "alice", "user", "Alice");
        String staff = tokens.issueNamed("acme", "sam", "supporter", "Sam");
        String gw1 = gateways.get(0).baseUrl().replace("http://", "ws://");
        String gw2 = gateways.get(1).baseUrl().replace("http://", "ws://");
        System.out.println();
        System.out.println("Tokens for tenant acme (valid 8 hours):");
        System.out.println("  customer alice   " + customer);
        System.out.println("  supporter sam    " + staff);
        System.out.println("Sockets: " + gw1 + "/ws/acme (one connection; subscribe to session:<id>, dashboard, operators,"
                + " stats)   "
                + gw1 + "/ws/acme/session/<session-id>?last_seq=0   " + gw2 + "/ws/acme/dashboard"
                + "   (token: Authorization header or the browser subprotocol; see docs/protocol.md)");
        String demo = "?tenant=acme&api=" + chatApi.baseUrl() + "&gateways=" + gateways.get(0).baseUrl() + ","
                + gateways.get(1).baseUrl() + "&token=";
        System.out.println();
        System.out.println("Demo pages (open each in its own browser window):");
        System.out.println("  customer widget    " + gateways.get(0).baseUrl() + "/demo/widget.html" + demo + customer);
        System.out.println("  support dashboard  " + gateways.get(1).baseUrl() + "/demo/dashboard.html" + demo + staff);
        System.out.println("  admin dashboard    " + gateways.get(0).baseUrl() + "/demo/dashboard.html" + demo
                + tokens.issueNamed("acme", "ann", "admin", "Ann") + "   (a second operator, with the live figures)");
        System.out.println("  widget on a shop   " + shop.origin() + "/   (the embeddable widget on a customer's own"
                + " site, one script tag; each browser is another customer; ?lang=de, fr or es: in that language)");
        System.out.println();
        System.out.println("A token for any tenant, user and role (user, supporter, admin, service):");
        System.out.println("  deploy/local/token.sh --tenant acme --user alice --role user [--name 'Alice Doe']");
        System.out.println("Logs: " + logs + "    Ctrl-C stops everything.");
        stopped.await();
    }

    /**
     * Says on the console that a part of the system ended on its own, unless the system is stopping: Ctrl-C
     * reaches the children too, which may end before the shutdown hook has begun, so the report waits a second.
     */
    private static void reportExit(String name, int code, Path log, AtomicBoolean stopping) {
        CompletableFuture.delayedExecutor(1, TimeUnit.SECONDS).execute(() -> {
            if (!stopping.get()) {
                System.err.println(exitReport(name, code, log));
            }
        });
    }

    /** What the console says when {@code name} ended on its own with {@code code}: how, the end of its log, what next. */
    static String exitReport(String name, int code, Path log) {
        StringBuilder report = new StringBuilder("\n").append(name).append(" stopped on its own (exit code ").append(code);
        if (code > 128) {
            report.append(": signal ").append(code - 128).append(code == 137 ? ", killed" : "");
        }
        report.append("); the rest of the local system runs on without it.\n");
        ArrayDeque<String> last = new ArrayDeque<>();
        // a reader, not Files.lines: it replaces bytes that are not UTF-8 instead of failing on them
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(Files.newInputStream(log),
                StandardCharsets.UTF_8))) {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                if (last.size() == 10) {
                    last.removeFirst();
                }
                last.addLast(line);
            }
        } catch (IOException e) {
            last.clear();
        }
        if (!last.isEmpty()) {
            report.append("The end of its log, ").append(log).append(":\n");
            last.forEach(line -> report.append("  ").append(line).append('\n'));
        } else {
            report.append("Its log: ").append(log).append('\n');
        }
        return report.append("Ctrl-C stops the rest; deploy/local/start.sh starts everything again (the data is kept).")
                .toString();
    }

    /** The ports of {@link #PORTS} that this machine's loopback cannot bind, by name. */
    static Map<String, Integer> portsInUse() {
        Map<String, Integer> busy = new LinkedHashMap<>();
        PORTS.forEach((name, port) -> {
            try (ServerSocket probe = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
                probe.getLocalPort();
            } catch (IOException e) {
                busy.put(name, port);
            }
        });
        return busy;
    }

    /**
     * The services' own settings given to start.sh ({@code -Dparley.chat-api.claims.release-when-offline=30S},
     * {@code -Dparley.gateway.limits.connections-per-user=2}), passed on to chat-api or to both gateways.
     */
    private static Map<String, String> given(String prefix) {
        Map<String, String> settings = new TreeMap<>();
        System.getProperties().stringPropertyNames().stream().filter(name -> name.startsWith(prefix))
                .forEach(name -> settings.put(name, System.getProperty(name)));
        return settings;
    }

    private static String pad(String name) {
        return String.format("%-23s", name);
    }
}
