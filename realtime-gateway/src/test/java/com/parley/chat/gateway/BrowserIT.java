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
 * The demo pages, and the widget embedded in a shop on another origin, in Chromium
 * (playwright-core) against chat-api and two gateway instances on PostgreSQL and Kafka. The browser test stops gateway 1 through a small control endpoint here.
 * Screenshots land in target/screenshots.
 */
class BrowserIT {

    private static final String TENANT = "browser-" + java.util.UUID.randomUUID();
    /** A tenant with more chats than the dashboard lists at once, the oldest of them still waiting. */
    private static final String QUEUE_TENANT = "queue-" + java.util.UUID.randomUUID();
    private static String oldestWaiting;
    private static Cluster cluster;
    private static HttpServer control;
    /** A customer's web shop that embeds the widget: its own origin, its own backend handing out tokens. */
    private static HttpServer shop;

    @BeforeAll
    static void start() throws IOException {
        NodeRunner.installPackages();
        shop = HttpServer.create(new InetSocketAddress("127.0.0.1", FreePorts.next()), 0);
        // the shop is allowed as http://localhost:port; the same page as http://127.0.0.1:port is a
        // site nobody allowed
        // a chat longer than the gateways replay is read from chat-api's history by the page (browser.test.mjs)
        cluster = new Cluster(Map.of("parley.gateway.recovery.max-replay-events", "40"), false,
                "http://localhost:" + shop.getAddress().getPort());
        cluster.awaitSignalsBothWays(); // the first test types at once
        oldestWaiting = startChat("first-in-line");
        for (int i = 0; i < 220; i++) {
            startChat("later-" + i); // each more recent than the one waiting longest
        }
        control = HttpServer.create(new InetSocketAddress("127.0.0.1", FreePorts.next()), 0);
        control.createContext("/stop/gw1", exchange -> {
            cluster.gateway1.stop();
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        // PostgreSQL, the Kafka broker or chat-api stops answering (its processes frozen) and goes on again
        Map<String, Runnable> outages = Map.of(
                "/pause/database", () -> cluster.infra.postgres().pause(),
                "/resume/database", () -> cluster.infra.postgres().resume(),
                "/pause/kafka", () -> cluster.infra.kafka().pause(),
                "/resume/kafka", () -> cluster.infra.kafka().resume(),
                "/pause/chat-api", () -> cluster.chatApi.pause(),
                "/resume/chat-api", () -> cluster.chatApi.resume());
        outages.forEach((path, action) -> control.createContext(path, exchange -> {
            action.run();
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        }));
        control.start();
        shop.createContext("/", exchange -> {
            // the tag a customer pastes into their site; gateway 2 serves it (gateway 1 is stopped
            // by an earlier test)
            String gateway = cluster.gateway2.baseUrl();
            boolean strict = exchange.getRequestURI().getPath().equals("/strict");
            // the shop's German pages: the widget speaks the page's language, with one word of the shop's own
            boolean german = exchange.getRequestURI().getPath().equals("/de");
            // a shop with its own brand: its colours, font and corner for the widget (custom properties, data-position)
            boolean branded = exchange.getRequestURI().getPath().equals("/branded");
            // the shop's Hebrew pages (right to left): the widget's English words, or on /he-words its own Hebrew ones
            boolean hebrew = exchange.getRequestURI().getPath().startsWith("/he");
            boolean hebrewWords = exchange.getRequestURI().getPath().equals("/he-words");
            // the shop's own inline CSS (which must not reach into the widget); the strict shop has none
            String css = strict ? "" : "<style>button { background: rgb(255, 0, 0) !important; } li { display: none; }"
                    + (branded ? " #parley-widget { --parley-accent: rgb(10, 125, 85); --parley-on-accent: rgb(255, 250, 205);"
                            + " --parley-font: Georgia, serif; --parley-bottom: 80px; }" : "")
                    + "</style>";
            byte[] page = ("""
                    <!doctype html><html %s><head><meta charset="utf-8">
                    <meta name="viewport" content="width=device-width, initial-scale=1"><title>Acme shop</title>
                    %s</head>
                    <body><h1>Acme shop</h1><p>Our products. <a href="#help" data-parley-open>Questions? Talk to us</a>
                    <button type="button" data-parley-open="About order 42: ">Ask about order 42</button></p>
                    %s
                    <script type="module" src="%s/client/v1/widget.js" data-tenant="%s"
                            data-token-url="/parley/token" data-api="%s" data-gateways="%s" %s></script>
                    </body></html>""").formatted(german ? "lang=\"de\"" : hebrew ? "lang=\"he\" dir=\"rtl\"" : "lang=\"en\"", css,
                    // the shop's script waits for the widget (no inline scripts on the strict shop)
                    strict ? "" : "<script>document.addEventListener('parley:ready', (e) => { window.readyWidget = e.detail; });</script>",
                    gateway, TENANT, cluster.chatApi.baseUrl(),
                    gateway, german ? "data-texts='{\"send\": \"Abschicken\", \"greeting\": \"Guten Tag! Was dürfen wir für Sie tun?\"}'"
                            : branded ? "data-position=\"left\" data-texts='{\"greeting\": \"\"}'"
                            : hebrewWords ? "data-texts='{\"title\": \"דברו איתנו\", \"greeting\": \"שלום! איך נוכל לעזור?\","
                                    + " \"send\": \"שליחה\"}'"
                            // what the shop tells support about its visitor
                            : "data-metadata='{\"plan\": \"pro\", \"order\": \"42\"}'")
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "text/html; charset=utf-8");
            if (strict) {
                // a site with a strict Content-Security-Policy: scripts, connections and styles only
                // from where it names, no inline styles (the policy a bank's site has)
                String ws = gateway.replaceFirst("^http", "ws");
                exchange.getResponseHeaders().add("Content-Security-Policy", ("default-src 'self'; script-src 'self' %s;"
                        + " connect-src 'self' %s %s %s; style-src 'self'; img-src 'self'")
                        .formatted(gateway, gateway, ws, cluster.chatApi.baseUrl()));
            }
            exchange.sendResponseHeaders(200, page.length);
            exchange.getResponseBody().write(page);
            exchange.close();
        });
        shop.createContext("/parley/token", exchange -> {
            // the shop's backend knows its visitor (here: always carol) and asks for her token
            byte[] body = ("{\"token\":\"" + cluster.token(TENANT, "carol", "user") + "\"}")
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.getResponseHeaders().add("Cache-Control", "no-store");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        shop.start();
    }

    private static String startChat(String customer) {
        return io.restassured.RestAssured.given().auth().oauth2(cluster.token(QUEUE_TENANT, customer, "user"))
                .contentType(io.restassured.http.ContentType.JSON).body("{}")
                .post(cluster.chatApi.baseUrl() + "/api/tenants/" + QUEUE_TENANT + "/sessions").then().statusCode(201)
                .extract().path("id");
    }

    @AfterAll
    static void stop() {
        if (control != null) {
            control.stop(0);
        }
        if (shop != null) {
            shop.stop(0);
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
        String tenant = TENANT;
        Path screenshots = Path.of("target", "screenshots").toAbsolutePath();
        try {
            Files.createDirectories(screenshots);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, String> env = Map.ofEntries(
                Map.entry("CHROMIUM", chromium),
                Map.entry("PARLEY_API", cluster.chatApi.baseUrl()),
                Map.entry("PARLEY_GW1", cluster.gateway1.baseUrl()),
                Map.entry("PARLEY_GW2", cluster.gateway2.baseUrl()),
                Map.entry("PARLEY_TENANT", tenant),
                Map.entry("PARLEY_CUSTOMER_TOKEN", cluster.token(tenant, "alice", "user")),
                Map.entry("PARLEY_CUSTOMER2_TOKEN", cluster.namedToken(tenant, "bob", "user", "Bob Builder")),
                // sam's token carries his name (olivia's does not): the widget calls him by it
                Map.entry("PARLEY_STAFF_TOKEN", cluster.namedToken(tenant, "sam", "supporter", "Sam Smith")),
                Map.entry("PARLEY_STAFF2_TOKEN", cluster.token(tenant, "olivia", "supporter")),
                Map.entry("PARLEY_ADMIN_TOKEN", cluster.token(tenant, "ann", "admin")),
                Map.entry("PARLEY_CONTROL", "http://127.0.0.1:" + control.getAddress().getPort()),
                Map.entry("PARLEY_SHOP", "http://localhost:" + shop.getAddress().getPort()),
                Map.entry("PARLEY_ROGUE_SHOP", "http://127.0.0.1:" + shop.getAddress().getPort()),
                Map.entry("PARLEY_SHOP_VISITOR_TOKEN", cluster.token(tenant, "carol", "user")),
                Map.entry("PARLEY_QUEUE_TENANT", QUEUE_TENANT),
                Map.entry("PARLEY_QUEUE_OLDEST", oldestWaiting),
                Map.entry("PARLEY_QUEUE_STAFF_TOKEN", cluster.token(QUEUE_TENANT, "sam", "supporter")),
                Map.entry("PARLEY_SCREENSHOTS", screenshots.toString()));
        return NodeRunner.test(env, 600, "browser.test.mjs");
    }
}
