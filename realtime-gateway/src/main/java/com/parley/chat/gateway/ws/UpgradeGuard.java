package com.parley.chat.gateway.ws;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import com.parley.chat.gateway.admission.AdmissionControl;
import com.parley.chat.gateway.admission.AdmissionControl.Target;
import com.parley.chat.gateway.auth.Caller;
import com.parley.chat.gateway.auth.TokenSources;

import io.quarkus.websockets.next.HttpUpgradeCheck;
import io.quarkus.websockets.next.UserData.TypedKey;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpConnection;

/** Refuses a WebSocket upgrade with 401/403 before the handshake; admitted callers ride in user data. */
@ApplicationScoped
public class UpgradeGuard implements HttpUpgradeCheck {

    static final TypedKey<Caller> CALLER = new TypedKey<>("parley.caller");

    /** The upgraded HTTP connection: its socket is dropped if a close never completes. */
    static final TypedKey<HttpConnection> SOCKET = new TypedKey<>("parley.socket");

    @Inject
    AdmissionControl admission;

    @Override
    public Uni<CheckResult> perform(HttpUpgradeContext context) {
        String sessionId = context.pathParam("sessionId");
        Target target = sessionId != null ? Target.SESSION
                : context.httpRequest().path().endsWith("/dashboard") ? Target.DASHBOARD : Target.CONNECTION;
        return admission.admit(context.httpRequest(), "ws", context.pathParam("tenantId"), target, sessionId)
                .flatMap(result -> {
                    if (!result.admitted()) {
                        return CheckResult.rejectUpgrade(result.status(), result.headers());
                    }
                    context.userData().put(CALLER, result.caller());
                    TokenSources.forget(context.httpRequest().headers());
                    context.userData().put(SOCKET, context.httpRequest().connection());
                    return CheckResult.permitUpgrade();
                });
    }
}
