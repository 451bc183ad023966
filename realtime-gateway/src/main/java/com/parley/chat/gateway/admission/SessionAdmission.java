package com.parley.chat.gateway.admission;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import com.parley.chat.gateway.admission.AccessAuthority.Verdict;
import com.parley.chat.gateway.auth.Caller;
import com.parley.chat.gateway.auth.SubscriptionTokenVerifier;
import com.parley.chat.gateway.auth.SubscriptionTokenVerifier.Grant;
import com.parley.chat.gateway.metrics.GatewayMetrics;

import io.smallrye.mutiny.Uni;

/**
 * Whether a caller may follow a session, decided here in the normal case: staff follow any session
 * of their tenant (the connection's tenant is already checked); a participant shows chat-api's
 * subscription token for that session. Only a participant without a valid token (an old client,
 * an expired token) makes chat-api answer, and that answer is cached (SessionAccess).
 */
@ApplicationScoped
public class SessionAdmission {

    private final SubscriptionTokenVerifier tokens;
    private final SessionAccess chatApi;
    private final GatewayMetrics metrics;

    @Inject
    public SessionAdmission(SubscriptionTokenVerifier tokens, SessionAccess chatApi, GatewayMetrics metrics) {
        this.tokens = tokens;
        this.chatApi = chatApi;
        this.metrics = metrics;
    }

    /** @param subscriptionToken chat-api's token for this session, or null */
    public Uni<Verdict> admit(Caller caller, String sessionId, String subscriptionToken) {
        if (caller.isStaff()) {
            metrics.sessionAdmitted("role");
            return Uni.createFrom().item(Verdict.ALLOWED);
        }
        Grant grant = tokens.verify(subscriptionToken);
        if (grant != null && grant.tenantId().equals(caller.tenantId()) && grant.userId().equals(caller.userId())
                && grant.sessionId().equals(sessionId)) {
            metrics.sessionAdmitted("token");
            return Uni.createFrom().item(Verdict.ALLOWED);
        }
        metrics.sessionAdmitted("chat-api");
        return chatApi.check(caller, sessionId);
    }
}
