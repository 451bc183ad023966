package com.parley.infra;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * The services of the system, assembled one way for the local run, the integration tests and the
 * benchmark: chat-api on the given PostgreSQL and Kafka, then the gateway instances (and, when
 * asked, escalation-legacy) in parallel, each in its own JVM as in production. What differs
 * between the three uses (ports, limits, JVM flags) is a builder option, never a copy.
 */
public final class ChatSystem implements AutoCloseable {

    private final Builder options;
    private final ServiceProcess chatApi;
    private final List<ServiceProcess> gateways = new ArrayList<>();
    private final ServiceProcess legacy;

    private ChatSystem(Builder options) {
        this.options = options;
        Map<String, String> chatApiConfig = new HashMap<>(options.infra);
        chatApiConfig.keySet().removeIf(key -> key.startsWith("parley.gateway."));
        // the demo pages are served by the gateways and call chat-api's REST from there
        chatApiConfig.put("quarkus.http.cors.origins", origins(options));
        chatApiConfig.putAll(options.tracing);
        chatApiConfig.putAll(options.chatApiConfig);
        chatApi = new ServiceProcess("chat-api", app(options.repo, "chat-api"), options.chatApiPort, chatApiConfig,
                options.logs.resolve("chat-api.log"), options.jvm.apply("chat-api"));
        for (int i = 0; i < options.gatewayPorts.size(); i++) {
            gateways.add(gateway(app(options.repo, "realtime-gateway"), "gw-" + (i + 1), options.gatewayPorts.get(i)));
        }
        legacy = options.legacyPort == 0 ? null : new ServiceProcess("escalation-legacy",
                app(options.repo, "escalation-legacy"), options.legacyPort, Map.of(),
                options.logs.resolve("escalation-legacy.log"), List.of("-Xmx64m", "-XX:+UseSerialGC"));
    }

    /**
     * @param repo the repository (services run from their modules' quarkus-app)
     * @param infra the configuration that reaches PostgreSQL and Kafka and verifies tokens
     */
    public static Builder builder(Path repo, Path logs, Map<String, String> infra) {
        return new Builder(repo, logs, infra);
    }

    /** Starts chat-api, then every gateway and escalation-legacy in parallel. */
    private ChatSystem start() {
        chatApi.start(options.startTimeout);
        List<ServiceProcess> rest = new ArrayList<>(gateways);
        if (legacy != null) {
            rest.add(legacy);
        }
        CompletableFuture.allOf(rest.stream()
                .map(s -> CompletableFuture.runAsync(() -> s.start(options.startTimeout)))
                .toArray(CompletableFuture[]::new)).join();
        return this;
    }

    /**
     * One more gateway instance of another build (a baseline measured in the same run), configured
     * as the others; not started.
     */
    public ServiceProcess gateway(Path jar, String instanceId, int port) {
        return gateway(jar, instanceId, port, Map.of());
    }

    /** One more gateway instance, configured as the others and then with {@code extra}; not started. */
    public ServiceProcess gateway(Path jar, String instanceId, int port, Map<String, String> extra) {
        Map<String, String> config = new HashMap<>(options.infra);
        config.remove("quarkus.datasource.jdbc.url");
        config.remove("quarkus.datasource.username");
        config.remove("quarkus.datasource.password");
        config.keySet().removeIf(key -> key.startsWith("parley.chat-api.")); // chat-api's signing key stays there
        config.put("parley.gateway.chat-api-url", chatApi.baseUrl());
        config.put("parley.gateway.instance-id", instanceId);
        // like every shipped default, only the origins it serves (its demo pages): a page on another
        // site cannot use a visitor's token here
        // an instance beyond the builder's ports (a baseline, a traced build) serves its own origin too
        config.put("parley.gateway.allowed-origins", origins(options) + ",http://127.0.0.1:" + port
                + ",http://localhost:" + port);
        config.putAll(options.tracing);
        config.putAll(options.gatewayConfig);
        config.putAll(extra);
        return new ServiceProcess("realtime-gateway-" + instanceId, jar, port, config,
                options.logs.resolve("realtime-gateway-" + instanceId + ".log"), options.jvm.apply(instanceId));
    }

    public ServiceProcess chatApi() {
        return chatApi;
    }

    public List<ServiceProcess> gateways() {
        return gateways;
    }

    public ServiceProcess legacy() {
        return legacy;
    }

    /** Stops every service, gateways first. */
    @Override
    public void close() {
        gateways.forEach(ServiceProcess::stop);
        if (legacy != null) {
            legacy.stop();
        }
        chatApi.stop();
    }

    /**
     * The origins browsers may call from: the gateways' demo pages (by IP and by name) and the sites
     * that embed the widget.
     */
    private static String origins(Builder options) {
        List<String> origins = new ArrayList<>();
        for (int port : options.gatewayPorts) {
            origins.add("http://127.0.0.1:" + port);
            origins.add("http://localhost:" + port);
        }
        origins.addAll(options.embeddingOrigins);
        return String.join(",", origins);
    }

    /** A service's configuration to export its spans to an OTLP/HTTP endpoint. */
    public static Map<String, String> tracingConfig(String otlpHttpEndpoint) {
        return Map.of("quarkus.otel.sdk.disabled", "false",
                "quarkus.otel.exporter.otlp.traces.protocol", "http/protobuf",
                "quarkus.otel.exporter.otlp.traces.endpoint", otlpHttpEndpoint,
                "quarkus.otel.bsp.schedule.delay", "200ms");
    }

    private static Path app(Path repo, String module) {
        return repo.resolve(module).resolve("target/quarkus-app/quarkus-run.jar");
    }

    /** What differs between the local run, the integration tests and the benchmark. */
    public static final class Builder {
        private final Path repo;
        private final Path logs;
        private final Map<String, String> infra;
        private int chatApiPort = FreePorts.next();
        private List<Integer> gatewayPorts = List.of(FreePorts.next(), FreePorts.next());
        private int legacyPort;
        private final Map<String, String> gatewayConfig = new HashMap<>();
        private final Map<String, String> chatApiConfig = new HashMap<>();
        private final List<String> embeddingOrigins = new ArrayList<>();
        private final Map<String, String> tracing = new HashMap<>();
        private Function<String, List<String>> jvm = service -> List.of("-Xmx256m", "-XX:+UseSerialGC");
        private Duration startTimeout = Duration.ofSeconds(120);

        private Builder(Path repo, Path logs, Map<String, String> infra) {
            this.repo = repo;
            this.logs = logs;
            this.infra = Map.copyOf(infra);
        }

        public Builder chatApiPort(int port) {
            this.chatApiPort = port;
            return this;
        }

        /** One gateway instance per port (two on free ports by default). */
        public Builder gatewayPorts(int... ports) {
            this.gatewayPorts = java.util.Arrays.stream(ports).boxed().toList();
            return this;
        }

        /** Starts escalation-legacy too, on this port. */
        public Builder legacy(int port) {
            this.legacyPort = port;
            return this;
        }

        /** Gateway settings on top of the defaults (limits, timeouts). */
        public Builder gatewayConfig(Map<String, String> overrides) {
            this.gatewayConfig.putAll(overrides);
            return this;
        }

        /** chat-api settings on top of the defaults. */
        public Builder chatApiConfig(Map<String, String> overrides) {
            this.chatApiConfig.putAll(overrides);
            return this;
        }

        /** Sites (origins) that embed the widget: allowed by chat-api's CORS and by the gateways. */
        public Builder embeddedBy(String... origins) {
            this.embeddingOrigins.addAll(List.of(origins));
            return this;
        }

        /** chat-api and the gateways export their spans to this OTLP/HTTP endpoint (off by default). */
        public Builder tracing(String otlpHttpEndpoint) {
            tracing.putAll(tracingConfig(otlpHttpEndpoint));
            return this;
        }

        /** JVM options per service: "chat-api" or a gateway's instance id ("gw-1", ...). */
        public Builder jvm(Function<String, List<String>> options) {
            this.jvm = options;
            return this;
        }

        public Builder startTimeout(Duration timeout) {
            this.startTimeout = timeout;
            return this;
        }

        /** Builds and starts the services; the caller closes the system. */
        public ChatSystem start() {
            return new ChatSystem(this).start();
        }
    }
}
