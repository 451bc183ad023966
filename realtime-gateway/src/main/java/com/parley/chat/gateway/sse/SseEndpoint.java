package com.parley.chat.gateway.sse;

import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import com.parley.chat.gateway.admission.AdmissionControl;
import com.parley.chat.gateway.admission.AdmissionControl.Target;
import com.parley.chat.gateway.client.ClientConnection;
import com.parley.chat.gateway.config.GatewayConfig;
import com.parley.chat.gateway.coordinator.Subscriptions;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code GET /sse/{tenantId}/session/{sessionId}}: the receive-only fallback. Same admission and
 * same delivery guarantee as the WebSocket; resumes after {@code Last-Event-ID} (or the
 * {@code last_event_id} / {@code last_seq} query parameter). Clients send through chat-api's REST.
 */
@ApplicationScoped
public class SseEndpoint {

    @Inject
    AdmissionControl admission;

    @Inject
    Subscriptions subscriptions;

    @Inject
    GatewayConfig config;

    @Inject
    Vertx vertx;

    void routes(@Observes Router router) {
        router.get("/sse/:tenantId/session/:sessionId").handler(this::open);
    }

    private void open(RoutingContext rc) {
        String tenantId = rc.pathParam("tenantId");
        String sessionId = rc.pathParam("sessionId");
        Long lastSeq = lastSeq(rc);
        if (lastSeq == null) {
            problem(rc.response(), 400, "Last-Event-ID must be a non-negative seq number.");
            return;
        }
        // a client that goes away while admission is under way must never be registered
        AtomicBoolean gone = new AtomicBoolean();
        rc.response().closeHandler(ignored -> gone.set(true));
        admission.admit(rc.request(), "sse", tenantId, Target.SESSION, sessionId).subscribe().with(result -> {
            HttpServerResponse response = rc.response();
            if (gone.get() || response.closed()) {
                return;
            }
            String allow = result.corsOrigin(rc.request().getHeader("Origin"));
            if (allow != null) { // an embedding site on an allowed origin reads the stream
                response.putHeader("Access-Control-Allow-Origin", allow).putHeader("Vary", "Origin");
            }
            if (!result.admitted()) {
                problem(response, result.status(), "Refused: " + result.reason());
                return;
            }
            response.setChunked(true)
                    .putHeader("Content-Type", "text/event-stream; charset=utf-8")
                    .putHeader("Cache-Control", "no-cache")
                    .putHeader("X-Accel-Buffering", "no");
            response.write("retry: 2000\n\n");
            SseTransport transport = new SseTransport(response, rc.request().connection(),
                    config.limits().closeGrace());
            ClientConnection client = subscriptions.openSession(UUID.randomUUID().toString(), result.caller(),
                    sessionId, lastSeq, transport);
            if (client == null) {
                return;
            }
            long keepAlive = vertx.setPeriodic(config.heartbeat().pingInterval().toMillis(), id -> transport.keepAlive());
            AtomicBoolean ended = new AtomicBoolean();
            Runnable end = () -> {
                if (ended.compareAndSet(false, true)) {
                    vertx.cancelTimer(keepAlive);
                    subscriptions.closed(client);
                }
            };
            response.closeHandler(ignored -> end.run());
            response.endHandler(ignored -> end.run());
            if (gone.get() || response.closed()) {
                end.run(); // it left between the checks above and the handlers
            }
        }, failure -> problem(rc.response(), 503, "Admission failed; retry."));
    }

    private static Long lastSeq(RoutingContext rc) {
        String value = rc.request().getHeader("Last-Event-ID");
        if (value == null) {
            value = rc.request().getParam("last_event_id");
        }
        if (value == null) {
            value = rc.request().getParam("last_seq");
        }
        if (value == null || value.isBlank()) {
            return 0L;
        }
        try {
            long seq = Long.parseLong(value.trim());
            return seq < 0 ? null : seq;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static void problem(HttpServerResponse response, int status, String detail) {
        if (response.ended()) {
            return;
        }
        response.setStatusCode(status).putHeader("Content-Type", "application/problem+json")
                .end("{\"type\":\"https://parley.chat/problems/sse-refused\",\"title\":\"Refused\",\"status\":"
                        + status + ",\"detail\":\"" + detail + "\"}");
    }
}
