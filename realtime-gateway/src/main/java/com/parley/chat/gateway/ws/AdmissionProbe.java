package com.parley.chat.gateway.ws;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import com.parley.chat.gateway.admission.AdmissionControl;
import com.parley.chat.gateway.admission.AdmissionControl.Target;

import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code GET /admission/{tenantId}}: what the WebSocket upgrade would answer this request, as a
 * plain HTTP status (204, 401, 403, 503) with a problem body. A browser never sees why an upgrade
 * was refused (the socket just closes with 1006), so the client asks here before it takes a
 * refusal for a network failure: a bad token gets a fresh one or stops, it never falls back to SSE.
 */
@ApplicationScoped
public class AdmissionProbe {

    @Inject
    AdmissionControl admission;

    void routes(@Observes Router router) {
        router.get("/admission/:tenantId").handler(this::probe);
    }

    private void probe(RoutingContext rc) {
        admission.admit(rc.request(), "ws", rc.pathParam("tenantId"), Target.CONNECTION, null).subscribe().with(
                result -> {
                    HttpServerResponse response = rc.response().putHeader("Cache-Control", "no-store");
                    String origin = rc.request().getHeader("Origin");
                    if (origin != null && !"origin".equals(result.reason())) {
                        response.putHeader("Access-Control-Allow-Origin", origin).putHeader("Vary", "Origin");
                    }
                    if (result.admitted()) {
                        response.setStatusCode(204).end();
                    } else {
                        response.setStatusCode(result.status()).putHeader("Content-Type", "application/problem+json")
                                .end("{\"type\":\"https://parley.chat/problems/upgrade-refused\",\"title\":\"Refused\","
                                        + "\"status\":" + result.status() + ",\"reason\":\"" + result.reason() + "\"}");
                    }
                }, failure -> rc.response().setStatusCode(503).end());
    }
}
