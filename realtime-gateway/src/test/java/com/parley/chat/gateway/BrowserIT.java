package com.parley.chat.gateway;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import com.parley.infra.FreePorts;
import com.sun.net.httpserver.HttpServer;

/**
 * The demo pages in Chromium (playwright-core) against chat-api and two gateway instances on
 * PostgreSQL and Kafka. The browser test stops gateway 1 through a small control endpoint here.
 * Screenshots land in target/screenshots.
 */
class BrowserIT {

    private static Cluster cluster;
    private static HttpServer control;

    @BeforeAll
    static void start() throws IOException {
        NodeRunner.installPackages();
        cluster = new Cluster(Map.of());
        control = HttpServer.create(new InetSocketAddress("127.0.0.1", FreePorts.next()), 0);
        control.createContext("/stop/gw1", exchange -> {
            cluster.gateway1.stop();
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        control.start();
    }

    @AfterAll
    static void stop() {
        if (control != null) {
            control.stop(0);
        }
        if (cluster != null) {
            cluster.stop();
        }
    }

    @TestFactory
    Stream<DynamicTest> theWidgetAndTheDashboardWorkInChromium() {
        String chromium = System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium");
        if (!Files.isExecutable(Path.of(chromium))) {
            throw new AssertionError(chromium + " not found: apt-get install chromium (or set CHROMIUM)");
        }
        String tenant = "browser-" + java.util.UUID.randomUUID();
        Path screenshots = Path.of("target", "screenshots").toAbsolutePath();
        try {
            Files.createDirectories(screenshots);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, String> env = Map.of(
                "CHROMIUM", chromium,
                "PARLEY_API", cluster.chatApi.baseUrl(),
                "PARLEY_GW1", cluster.gateway1.baseUrl(),
                "PARLEY_GW2", cluster.gateway2.baseUrl(),
                "PARLEY_TENANT", tenant,
                "PARLEY_CUSTOMER_TOKEN", cluster.token(tenant, "alice", "user"),
                "PARLEY_CUSTOMER2_TOKEN", cluster.token(tenant, "bob", "user"),
                "PARLEY_STAFF_TOKEN", cluster.token(tenant, "sam", "supporter"),
                "PARLEY_CONTROL", "http://127.0.0.1:" + control.getAddress().getPort(),
                "PARLEY_SCREENSHOTS", screenshots.toString());
        return NodeRunner.test(env, 600, "browser.test.mjs");
    }
}
