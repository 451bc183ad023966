package com.parley.infra;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A customer's web site on its own origin with the chat widget in it, as docs/client.md tells a
 * customer to embed it (one script tag), and the small piece of its backend the widget needs: a
 * token URL that answers the visitor's token. Each browser is a visitor of its own, known by a
 * cookie, as a shop knows its signed-in customers; the local system signs their tokens with its
 * development key, where a real shop asks its identity provider.
 */
public final class DemoShop implements AutoCloseable {

    /** A language tag in the page's query ({@code ?lang=de-AT}); anything else leaves the page English. */
    private static final Pattern LANG = Pattern.compile("(?:^|&)lang=([A-Za-z]{2,8}(?:-[A-Za-z0-9]{1,8}){0,3})(?:&|$)");
    private static final Pattern VISITOR = Pattern.compile("(?:^|;\\s*)visitor=([a-z0-9-]{1,40})");

    private final HttpServer server;
    private final DevTokens tokens;
    private final String tenant;
    private final String chatApi;
    private final String gateways;

    /**
     * @param chatApi chat-api's base URL
     * @param gateways the gateways' base URLs, comma-separated; the first serves the widget
     */
    public DemoShop(int port, DevTokens tokens, String tenant, String chatApi, String gateways) throws IOException {
        this.tokens = tokens;
        this.tenant = tenant;
        this.chatApi = chatApi;
        this.gateways = gateways;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
        server.createContext("/", this::page);
        server.createContext("/parley/token", this::token);
    }

    /** The shop's origin, as the gateways and chat-api must allow it. */
    public String origin() {
        return "http://localhost:" + server.getAddress().getPort();
    }

    public DemoShop start() {
        server.start();
        return this;
    }

    @Override
    public void close() {
        server.stop(0);
    }

    private void page(HttpExchange exchange) throws IOException {
        if (!exchange.getRequestURI().getPath().equals("/")) {
            send(exchange, 404, "text/plain; charset=utf-8", "Not found", null);
            return;
        }
        String canonical = origin().substring("http://".length());
        if (!canonical.equalsIgnoreCase(exchange.getRequestHeaders().getFirst("Host"))) {
            // the same page asked as http://127.0.0.1:8084/ is another origin, which chat-api and the gateways
            // do not allow (the widget would only say "Failed to fetch"): the shop's one address, as a site
            // sends its visitors to its canonical host
            String query = exchange.getRequestURI().getRawQuery();
            exchange.getResponseHeaders().add("Location", origin() + "/" + (query == null ? "" : "?" + query));
            send(exchange, 307, "text/plain; charset=utf-8", "The shop is at " + origin() + "/", null);
            return;
        }
        String widget = gateways.split(",")[0];
        // ?lang=de: the shop's page in another language, and the widget with it (its <html lang>)
        Matcher asked = LANG.matcher(exchange.getRequestURI().getRawQuery() == null ? ""
                : exchange.getRequestURI().getRawQuery());
        String lang = asked.find() ? asked.group(1) : "en";
        String html = """
                <!doctype html>
                <html lang="%s">
                <head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
                <link rel="icon" href="data:,">
                <title>Acme shop</title>
                <style>body { font: 16px/1.5 Georgia, serif; margin: 2rem auto; max-width: 40rem; color: #333; }</style>
                </head>
                <body>
                <h1>Acme shop</h1>
                <p>Our products, and a chat with our support: the launcher in the corner is the Parley widget,
                embedded with one script tag (docs/client.md). Another browser is another customer.</p>
                <p><a href="#support" data-parley-open>Questions about an order? Talk to us</a> (the shop's own link: it
                opens the same chat)</p>
                <script type="module" src="%s/client/v1/widget.js" data-tenant="%s" data-token-url="/parley/token"
                        data-api="%s" data-gateways="%s"
                        data-metadata='{"cart": "Blue mug, red teapot"}'></script>
                </body>
                </html>
                """.formatted(lang, widget, tenant, chatApi, gateways);
        send(exchange, 200, "text/html; charset=utf-8", html, null);
    }

    /** The visitor's token, for the widget: a new visitor gets a cookie that names them from now on. */
    private void token(HttpExchange exchange) throws IOException {
        String cookies = exchange.getRequestHeaders().getFirst("Cookie");
        Matcher known = VISITOR.matcher(cookies == null ? "" : cookies);
        boolean first = !known.find();
        String visitor = first ? "visitor-" + UUID.randomUUID().toString().substring(0, 8) : known.group(1);
        String cookie = first ? "visitor=" + visitor + "; Path=/; HttpOnly; SameSite=Lax" : null;
        String token = tokens.issueNamed(tenant, visitor, "user", "Visitor " + visitor.replace("visitor-", ""),
                Duration.ofHours(1));
        send(exchange, 200, "application/json", "{\"token\":\"" + token + "\"}", cookie);
    }

    private static void send(HttpExchange exchange, int status, String type, String body, String cookie)
            throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", type);
        exchange.getResponseHeaders().add("Cache-Control", "no-store");
        if (cookie != null) {
            exchange.getResponseHeaders().add("Set-Cookie", cookie);
        }
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }
}
