package com.parley.chat.gateway.chatapi;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.parley.chat.gateway.admission.AccessAuthority;
import com.parley.chat.gateway.auth.Caller;
import com.parley.chat.gateway.config.GatewayConfig;
import com.parley.chat.gateway.metrics.GatewayMetrics;
import com.parley.chat.gateway.protocol.EventFrame;
import com.parley.chat.gateway.protocol.Frames;
import com.parley.chat.gateway.protocol.SessionKey;
import com.parley.chat.gateway.presence.WorkloadSource;
import com.parley.chat.gateway.recovery.HistorySource;
import com.parley.chat.gateway.stats.FiguresSource;

import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.core.buffer.Buffer;
import io.vertx.mutiny.ext.web.client.HttpRequest;
import io.vertx.mutiny.ext.web.client.HttpResponse;
import io.vertx.mutiny.ext.web.client.WebClient;

/**
 * chat-api as the gateway uses it, always with the caller's own token: the authority on session
 * access, the source of history, and where messages sent over a socket are stored.
 */
@ApplicationScoped
public class ChatApiClient implements HistorySource, AccessAuthority, WorkloadSource, FiguresSource {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @Inject
    Vertx vertx;

    @Inject
    GatewayConfig config;

    @Inject
    ObjectMapper json;

    @Inject
    Frames frames;

    @Inject
    GatewayMetrics metrics;

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
        client = WebClient.create(vertx, new WebClientOptions().setMaxPoolSize(config.chatApiConnections()).setKeepAlive(true)
                .setConnectTimeout(3000));
    }

    /** chat-api's answer: status and body (a problem document when it failed). */
    public record Answer(int status, JsonNode body) {
        public boolean ok() {
            return status >= 200 && status < 300;
        }
    }

    /** GET the session with the caller's token: 200 allowed, 403/404 not theirs, 401 a refused token. */
    @Override
    public Uni<Verdict> access(Caller caller, String sessionId) {
        return send("access", caller, "GET", sessionPath(caller, sessionId), null)
                .map(response -> switch (response.statusCode()) {
                    case 200 -> Verdict.ALLOWED;
                    case 401 -> Verdict.UNAUTHORIZED;
                    case 403, 404 -> Verdict.NOT_FOUND;
                    default -> Verdict.UNAVAILABLE;
                });
    }

    @Override
    public Uni<Page> history(Caller caller, SessionKey session, long afterSeq, int limit) {
        return send("history", caller, "GET", sessionPath(caller, session.sessionId()) + "/events?after_seq="
                + afterSeq + "&limit=" + limit, null)
                .map(response -> {
                    if (response.statusCode() == 403 || response.statusCode() == 404) {
                        throw new NotFound("session " + session.sessionId() + " answered " + response.statusCode());
                    }
                    if (response.statusCode() != 200) {
                        throw new IllegalStateException("history answered " + response.statusCode());
                    }
                    JsonNode body = parse(response.bodyAsBuffer());
                    List<EventFrame> events = new ArrayList<>();
                    body.path("events").forEach(event -> {
                        EventFrame frame = frames.fromEvent(event);
                        if (frame != null) {
                            events.add(frame);
                        }
                    });
                    return new Page(events, body.path("has_more").asBoolean(), body.path("last_seq").asLong());
                });
    }

    public Uni<Answer> postMessage(Caller caller, String sessionId, String content, String clientMessageId) {
        ObjectNode body = json.createObjectNode();
        body.put("content", content);
        if (clientMessageId != null) {
            body.put("client_message_id", clientMessageId);
        }
        return answer("post", caller, "POST", sessionPath(caller, sessionId) + "/messages", body);
    }

    @Override
    public Uni<Map<String, Integer>> workload(Caller staff) {
        return answered("workload", staff, tenantPath(staff) + "/operators").map(body -> {
            Map<String, Integer> held = new java.util.HashMap<>();
            body.path("operators").forEach(op -> held.put(op.path("user_id").asText(),
                    op.path("open_sessions").asInt()));
            return held;
        });
    }

    @Override
    public Uni<SessionFigures> figures(Caller admin) {
        return answered("figures", admin, tenantPath(admin) + "/stats").map(body -> {
            String oldest = body.path("oldest_unclaimed_since").asText(null);
            return new SessionFigures(body.path("open_sessions").asLong(), body.path("unclaimed_sessions").asLong(),
                    oldest == null ? null : java.time.Instant.parse(oldest), body.path("rated_good_last_day").asLong(),
                    body.path("rated_bad_last_day").asLong());
        });
    }

    /** Claims the session for the caller (staff): chat-api decides, and emits SessionClaimed. */
    public Uni<Answer> claim(Caller caller, String sessionId) {
        return answer("claim", caller, "POST", sessionPath(caller, sessionId) + "/claim", null);
    }

    /** Stores the caller's read-up-to seq of the session (it never moves backwards there). */
    public Uni<Answer> markRead(Caller caller, String sessionId, long upToSeq) {
        return answer("read", caller, "PUT", sessionPath(caller, sessionId) + "/read",
                json.createObjectNode().put("up_to_seq", upToSeq));
    }

    /** Any answer from chat-api's readiness endpoint means it is reachable. */
    public Uni<Boolean> reachable() {
        return client.get(port, host, "/q/health/ready").ssl(ssl).send()
                .ifNoItem().after(Duration.ofSeconds(2)).fail()
                .map(r -> r.statusCode() == 200)
                .onFailure().recoverWithItem(false);
    }

    /** chat-api's answer to a request with the caller's token, with a JSON body or none, whatever its status. */
    private Uni<Answer> answer(String call, Caller caller, String method, String path, ObjectNode body) {
        return send(call, caller, method, path, body)
                .map(response -> new Answer(response.statusCode(), parse(response.bodyAsBuffer())));
    }

    /** The JSON body of a GET that chat-api must answer with 200; anything else fails. */
    private Uni<JsonNode> answered(String call, Caller caller, String path) {
        return answer(call, caller, "GET", path, null).map(answer -> {
            if (answer.status() != 200) {
                throw new IllegalStateException("chat-api answered " + answer.status());
            }
            return answer.body();
        });
    }

    /**
     * A request with the caller's token and a JSON body or none, sent when subscribed to; it fails
     * when chat-api has not answered within {@link #TIMEOUT}. Timed by {@code call} from the moment it
     * is sent ({@code parley_gateway_chatapi_requests_seconds}).
     */
    private Uni<HttpResponse<Buffer>> send(String call, Caller caller, String method, String path, ObjectNode body) {
        return Uni.createFrom().deferred(() -> {
            long start = System.nanoTime();
            HttpRequest<Buffer> request = request(caller, method, path);
            return (body == null ? request.send()
                    : request.putHeader("Content-Type", "application/json").sendBuffer(Buffer.buffer(body.toString())))
                    .ifNoItem().after(TIMEOUT).fail()
                    .onItemOrFailure().invoke((response, failure) -> metrics.chatApiRequest(call,
                            response == null ? 0 : response.statusCode(), System.nanoTime() - start));
        });
    }

    private HttpRequest<Buffer> request(Caller caller, String method, String path) {
        HttpRequest<Buffer> request = switch (method) {
            case "POST" -> client.post(port, host, path);
            case "PUT" -> client.put(port, host, path);
            default -> client.get(port, host, path);
        };
        return request.ssl(ssl).bearerTokenAuthentication(caller.rawToken()).putHeader("Accept", "application/json");
    }

    private static String sessionPath(Caller caller, String sessionId) {
        return tenantPath(caller) + "/sessions/" + segment(sessionId);
    }

    /** A tenant id is any string chat-api takes ("Acme Corp/EU"): escaped as one path segment. */
    private static String tenantPath(Caller caller) {
        return "/api/tenants/" + segment(caller.tenantId());
    }

    private static String segment(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
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
