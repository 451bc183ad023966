package com.parley.chat.gateway.ws;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import com.parley.chat.gateway.admission.AdmissionControl;
import com.parley.chat.gateway.admission.AdmissionControl.Target;
import com.parley.chat.gateway.http.HttpProblems;

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
        router.options("/admission/:tenantId").handler(this::preflight);
    }

    /**
     * The browser's CORS preflight: the probe carries the token in an Authorization header, so a
     * page on an embedding site asks first. Only allowed origins get the go-ahead.
     */
    private void preflight(RoutingContext rc) {
        String origin = rc.request().getHeader("Origin");
        HttpServerResponse response = rc.response().putHeader("Vary", "Origin");
        if (origin != null && admission.allowsOrigin(origin)) {
            response.putHeader("Access-Control-Allow-Origin", origin)
                    .putHeader("Access-Control-Allow-Methods", "GET")
                    .putHeader("Access-Control-Allow-Headers", "Authorization")
                    .putHeader("Access-Control-Max-Age", "3600");
        }
        response.setStatusCode(204).end();
    }

    private void probe(RoutingContext rc) {
        admission.admit(rc.request(), "ws", rc.pathParam("tenantId"), Target.CONNECTION, null).subscribe().with(
                result -> {
                    HttpServerResponse response = rc.response().putHeader("Cache-Control", "no-store");
                    String allow = result.corsOrigin(rc.request().getHeader("Origin"));
                    if (allow != null) {
                        response.putHeader("Access-Control-Allow-Origin", allow).putHeader("Vary", "Origin");
                    }
                    if (result.admitted()) {
                        response.setStatusCode(204).end();
                    } else {
                        HttpProblems.send(response, result.status(), "upgrade-refused", "Refused", result.detail(),
                                result.headers(), result.reason());
                    }
                }, failure -> rc.response().setStatusCode(503).end());
    }
}
