package com.parley.chat.gateway.http;

import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;

/**
 * The gateway's plain HTTP answers are {@code application/problem+json} (RFC 9457), as chat-api's
 * are: an event stream or a probe that is refused, a WebSocket URL asked without an upgrade, a
 * method a URL does not take, and a URL the gateway does not serve (Vert.x would answer an HTML page).
 */
@ApplicationScoped
public class HttpProblems {

    /** Where every problem type of the platform lives (docs/errors.md lists them). */
    public static final String BASE = "https://parley.chat/problems/";

    void routes(@Observes Router router) {
        router.errorHandler(404, rc -> send(rc.response(), 404, "not-found", "Not Found",
                "No such URL on the realtime gateway: it serves /ws/, /sse/ and /admission/ (docs/protocol.md).",
                Map.of(), null));
        // after the streams' and the probe's own GET routes: a POST to an event stream is no unknown URL
        router.routeWithRegex("/(sse|admission)/.+").last().handler(rc -> {
            if (rc.request().method() == HttpMethod.GET) {
                rc.next(); // a GET no route took: the 404 above
                return;
            }
            send(rc.response(), 405, "method-not-allowed", "Method Not Allowed", "Event streams and the admission "
                    + "probe are read with GET; a client sends over its WebSocket or through chat-api's REST.",
                    Map.of("Allow", List.of("GET")), null);
        });
    }

    /**
     * Ends {@code response} with a problem (nothing when it already ended).
     *
     * @param headers added to the answer (a challenge, Retry-After)
     * @param reason the refusal's short reason (as metrics and X-Refused-Because name it), or null
     */
    public static void send(HttpServerResponse response, int status, String type, String title, String detail,
            Map<String, List<String>> headers, String reason) {
        if (response.ended() || response.closed()) {
            return;
        }
        headers.forEach((name, values) -> response.putHeader(name, values));
        JsonObject body = new JsonObject().put("type", BASE + type).put("title", title).put("status", status)
                .put("detail", detail);
        if (reason != null) {
            body.put("reason", reason);
        }
        response.setStatusCode(status).putHeader("Content-Type", "application/problem+json").end(body.encode());
    }
}
