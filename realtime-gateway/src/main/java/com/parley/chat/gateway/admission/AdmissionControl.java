package com.parley.chat.gateway.admission;

import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import com.parley.chat.gateway.auth.Caller;
import com.parley.chat.gateway.auth.TokenSources;
import com.parley.chat.gateway.auth.TokenVerifier;
import com.parley.chat.gateway.config.GatewayConfig;
import com.parley.chat.gateway.metrics.GatewayMetrics;
import com.parley.chat.gateway.protocol.Channel;

import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;

/**
 * Decides, before any handshake, whether a request may open a WebSocket or an SSE stream: transport,
 * origin, token, tenant, role, and for a one-session request {@link SessionAdmission}'s verdict.
 */
@ApplicationScoped
public class AdmissionControl {

    /** The outcome: an HTTP status to refuse with, or the caller to admit. */
    public record Admission(int status, String reason, Caller caller) {
        static Admission refuse(int status, String reason) {
            return new Admission(status, reason, null);
        }

        public boolean admitted() {
            return caller != null;
        }

        /** The refusal in a sentence a developer can act on. */
        public String detail() {
            return switch (reason) {
                case "token" -> "A valid bearer token of this platform's identity provider is required (the "
                        + "Authorization header, the bearer-token-carrier subprotocol or ?token=).";
                case "tenant" -> "The token is of another tenant than the URL names.";
                case "role" -> "Only staff (supporter, admin, service) may open the dashboard.";
                case "session" -> "No such session for this caller (a customer opens only their own sessions).";
                case "origin" -> "Pages of this origin may not connect (parley.gateway.allowed-origins).";
                case "transport" -> "This transport is off on this gateway (parley.gateway.transports).";
                case "chat-api" -> "The session could not be checked right now; try again shortly.";
                default -> "Refused: " + reason + ".";
            };
        }

        /**
         * The headers of the refusal: its reason, the scheme a 401 asks for (as chat-api's), and when
         * to try again after a 503.
         */
        public Map<String, List<String>> headers() {
            return switch (status) {
                case 401 -> Map.of("X-Refused-Because", List.of(reason), "WWW-Authenticate", List.of("Bearer"));
                case 503 -> Map.of("X-Refused-Because", List.of(reason), "Retry-After", List.of("5"));
                default -> Map.of("X-Refused-Because", List.of(reason));
            };
        }

        /**
         * The value of Access-Control-Allow-Origin for a browser request from {@code origin}: the
         * origin itself when it is on the allow-list (so an embedding page can read the answer),
         * none otherwise.
         */
        public String corsOrigin(String origin) {
            return origin == null || "origin".equals(reason) ? null : origin;
        }
    }

    /** What a request opens: a connection to subscribe on, the tenant's dashboard, or one session. */
    public enum Target { CONNECTION, DASHBOARD, SESSION }

    private final GatewayConfig config;
    private final TokenVerifier verifier;
    private final SessionAdmission sessions;
    private final GatewayMetrics metrics;

    @Inject
    public AdmissionControl(GatewayConfig config, TokenVerifier verifier, SessionAdmission sessions,
            GatewayMetrics metrics) {
        this.config = config;
        this.verifier = verifier;
        this.sessions = sessions;
        this.metrics = metrics;
    }

    /** @param sessionId the session of a {@link Target#SESSION} request, else null */
    public Uni<Admission> admit(HttpServerRequest request, String transport, String tenantId, Target target,
            String sessionId) {
        return admit(request.getHeader("Origin"), TokenSources.extract(request), transport, tenantId, target,
                sessionId, request.getParam("subscription_token"));
    }

    /**
     * @param origin the request's Origin header (null from a server-side client)
     * @param token the bearer token wherever the request carried it (null: none)
     * @param sessionId the session of a {@link Target#SESSION} request, else null
     * @param subscriptionToken chat-api's subscription token for that session, or null
     */
    public Uni<Admission> admit(String origin, String token, String transport, String tenantId, Target target,
            String sessionId, String subscriptionToken) {
        Admission refusal = checkRequest(origin, transport);
        if (refusal != null) {
            return admitChecked(refusal, target, sessionId, subscriptionToken);
        }
        return verifier.verifyWithoutWaiting(token).flatMap(
                caller -> admitChecked(checkCaller(caller, tenantId, target), target, sessionId, subscriptionToken));
    }

    /** After the request's and the caller's checks: refused there, or on to the session's admission. */
    private Uni<Admission> admitChecked(Admission checked, Target target, String sessionId, String subscriptionToken) {
        if (checked.status() != 0) {
            metrics.refusedUpgrade(checked.reason());
            return Uni.createFrom().item(checked);
        }
        Caller caller = checked.caller();
        if (target != Target.SESSION) {
            return Uni.createFrom().item(checked);
        }
        if (Channel.parse("session:" + sessionId) == null) {
            // only session-id characters ever reach chat-api's URL
            return Uni.createFrom().item(refused(404, "session"));
        }
        return sessions.admit(caller, sessionId, subscriptionToken).map(verdict -> switch (verdict) {
            case ALLOWED -> new Admission(0, null, caller);
            case NOT_FOUND -> refused(403, "session");
            case UNAUTHORIZED -> refused(401, "token");
            case UNAVAILABLE -> refused(503, "chat-api");
        });
    }

    private Admission refused(int status, String reason) {
        metrics.refusedUpgrade(reason);
        return Admission.refuse(status, reason);
    }

    /** What the request alone decides (transport, origin), before any token is verified; null: nothing. */
    private Admission checkRequest(String origin, String transport) {
        if (!config.transports().contains(transport)) {
            return Admission.refuse(404, "transport");
        }
        if (!allowsOrigin(origin)) {
            return Admission.refuse(403, "origin");
        }
        return null;
    }

    /** What the verified token decides: who, which tenant, and whether staff where staff is needed. */
    private Admission checkCaller(Caller caller, String tenantId, Target target) {
        if (caller == null) {
            return Admission.refuse(401, "token");
        }
        if (!caller.tenantId().equals(tenantId)) {
            return Admission.refuse(403, "tenant");
        }
        if (target == Target.DASHBOARD && !caller.isStaff()) {
            return Admission.refuse(403, "role");
        }
        return new Admission(0, null, caller);
    }

    /**
     * Browsers always send Origin, so the allow-list stops other sites' pages from using a
     * visitor's token; a server-side client sends none and is judged by its token alone.
     */
    public boolean allowsOrigin(String origin) {
        List<String> allowed = config.allowedOrigins();
        return origin == null || allowed.contains("*") || allowed.contains(origin);
    }
}
