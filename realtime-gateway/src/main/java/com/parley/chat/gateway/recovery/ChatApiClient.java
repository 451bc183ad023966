package com.parley.chat.gateway.recovery;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.parley.chat.gateway.auth.Caller;
import com.parley.chat.gateway.config.GatewayConfig;

import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.core.buffer.Buffer;
import io.vertx.mutiny.ext.web.client.HttpRequest;
import io.vertx.mutiny.ext.web.client.HttpResponse;
import io.vertx.mutiny.ext.web.client.WebClient;

/** chat-api as the gateway uses it, always with the caller's own token. */
@ApplicationScoped
public class ChatApiClient {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @Inject
    Vertx vertx;

    @Inject
    GatewayConfig config;

    @Inject
    ObjectMapper json;

    private WebClient client;
    private String host;
    private int port;
    private boolean ssl;

    @PostConstruct
    void init() {
        URI base = URI.create(config.chatApiUrl());
        ssl = "https".equals(base.getScheme());
        host = base.getHost();
        port = base.getPort() > 0 ? base.getPort() : (ssl ? 443 : 80);
        client = WebClient.create(vertx, new WebClientOptions().setMaxPoolSize(50).setKeepAlive(true)
                .setConnectTimeout(3000));
    }

    /** One page of a session's history. */
    public record HistoryPage(List<JsonNode> events, boolean hasMore, long nextAfterSeq, long lastSeq) {
    }

    /** chat-api's answer: status and body (a problem document when it failed). */
    public record Answer(int status, JsonNode body) {
        public boolean ok() {
            return status >= 200 && status < 300;
        }
    }

    /** 200 when the caller may open the session, 404 when not, 401 for a refused token. */
    public Uni<Integer> sessionAccess(Caller caller, String sessionId) {
        return request(caller, "GET", sessionPath(caller, sessionId)).send()
                .ifNoItem().after(TIMEOUT).fail()
                .map(HttpResponse::statusCode);
    }

    public Uni<HistoryPage> history(Caller caller, String sessionId, long afterSeq, int limit) {
        return request(caller, "GET", sessionPath(caller, sessionId) + "/events?after_seq=" + afterSeq + "&limit=" + limit)
                .send().ifNoItem().after(TIMEOUT).fail()
                .map(response -> {
                    if (response.statusCode() != 200) {
                        throw new IllegalStateException("history answered " + response.statusCode());
                    }
                    JsonNode body = parse(response.bodyAsBuffer());
                    List<JsonNode> events = new ArrayList<>();
                    body.path("events").forEach(events::add);
                    return new HistoryPage(events, body.path("has_more").asBoolean(),
                            body.path("next_after_seq").asLong(), body.path("last_seq").asLong());
                });
    }

    public Uni<Answer> postMessage(Caller caller, String sessionId, String content, String clientMessageId) {
        ObjectNode body = json.createObjectNode();
        body.put("content", content);
        if (clientMessageId != null) {
            body.put("client_message_id", clientMessageId);
        }
        return request(caller, "POST", sessionPath(caller, sessionId) + "/messages")
                .putHeader("Content-Type", "application/json")
                .sendBuffer(Buffer.buffer(body.toString()))
                .ifNoItem().after(TIMEOUT).fail()
                .map(response -> new Answer(response.statusCode(), parse(response.bodyAsBuffer())));
    }

    /** Any answer from chat-api's readiness endpoint means it is reachable. */
    public Uni<Boolean> reachable() {
        return client.get(port, host, "/q/health/ready").ssl(ssl).send()
                .ifNoItem().after(Duration.ofSeconds(2)).fail()
                .map(r -> r.statusCode() == 200)
                .onFailure().recoverWithItem(false);
    }

    private HttpRequest<Buffer> request(Caller caller, String method, String path) {
        HttpRequest<Buffer> request = "POST".equals(method) ? client.post(port, host, path) : client.get(port, host, path);
        return request.ssl(ssl).bearerTokenAuthentication(caller.rawToken()).putHeader("Accept", "application/json");
    }

    private static String sessionPath(Caller caller, String sessionId) {
        return "/api/tenants/" + caller.tenantId() + "/sessions/" + sessionId;
    }

    private JsonNode parse(Buffer body) {
        if (body == null || body.length() == 0) {
            return json.createObjectNode();
        }
        try {
            return json.readTree(body.getBytes());
        } catch (java.io.IOException e) {
            return json.createObjectNode().put("detail", "chat-api answered something that is not JSON");
        }
    }
}
