package com.parley.infra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

/**
 * One PostgreSQL and one Kafka broker per test JVM, started in parallel on free ports, with a
 * fresh signing key pair. Everything lives in a temporary folder removed when the JVM exits.
 */
public final class ChatInfra {

    private static ChatInfra instance;

    private final Path root;
    private final PostgresServer postgres;
    private final KafkaBroker kafka;
    private final DevKeys keys;
    private final DevKeys subscriptionKeys;
    private final DevTokens tokens;

    private ChatInfra(Path root) {
        this.root = root;
        this.postgres = new PostgresServer(FreePorts.next(), root.resolve("postgres"), false);
        this.kafka = new KafkaBroker(FreePorts.next(), FreePorts.next(), root.resolve("kafka"));
        this.keys = DevKeys.in(root.resolve("keys"));
        this.subscriptionKeys = DevKeys.in(root.resolve("subscription-keys"));
        this.tokens = new DevTokens(keys.privateKey());
    }

    public static synchronized ChatInfra get() {
        if (instance == null) {
            try {
                ChatInfra infra = new ChatInfra(Files.createTempDirectory("parley-test-infra"));
                CompletableFuture<?> pg = CompletableFuture.runAsync(infra.postgres::start);
                CompletableFuture<?> broker = CompletableFuture.runAsync(infra.kafka::start);
                CompletableFuture.allOf(pg, broker).join();
                Runtime.getRuntime().addShutdownHook(new Thread(infra::shutdown, "parley-test-infra-stop"));
                instance = infra;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return instance;
    }

    /** The configuration a service needs to reach this infrastructure and verify its tokens. */
    public Map<String, String> serviceConfig() {
        return serviceConfig(postgres, kafka, keys, subscriptionKeys);
    }

    /**
     * The configuration a service needs to reach a PostgreSQL and a broker, to verify dev tokens, and
     * to sign (chat-api) or verify (gateways) subscription tokens.
     */
    public static Map<String, String> serviceConfig(PostgresServer postgres, KafkaBroker kafka, DevKeys keys,
            DevKeys subscriptionKeys) {
        Map<String, String> config = new HashMap<>();
        config.put("quarkus.datasource.jdbc.url", postgres.jdbcUrl());
        config.put("quarkus.datasource.username", PostgresServer.USER);
        config.put("quarkus.datasource.password", PostgresServer.PASSWORD);
        config.put("kafka.bootstrap.servers", kafka.bootstrapServers());
        config.put("mp.jwt.verify.publickey.location", keys.publicKeyFile().toUri().toString());
        config.put("mp.jwt.verify.issuer", DevTokens.ISSUER);
        config.put("mp.jwt.verify.audiences", DevTokens.AUDIENCE);
        config.put("parley.chat-api.subscription-tokens.private-key-location",
                subscriptionKeys.privateKeyFile().toString());
        config.put("parley.gateway.subscription-tokens.public-key-location",
                subscriptionKeys.publicKeyFile().toString());
        return config;
    }

    public PostgresServer postgres() {
        return postgres;
    }

    public KafkaBroker kafka() {
        return kafka;
    }

    public DevTokens tokens() {
        return tokens;
    }

    /** chat-api's subscription token key pair of this test infrastructure. */
    public DevKeys subscriptionKeys() {
        return subscriptionKeys;
    }

    public Path root() {
        return root;
    }

    private void shutdown() {
        kafka.stop();
        postgres.stop();
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temp folder left behind is harmless
        }
    }
}
