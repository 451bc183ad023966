package com.parley.chat.gateway.ws;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.quarkus.vertx.http.runtime.security.QuarkusHttpUser;
import io.quarkus.vertx.http.runtime.security.SecurityHandlerPriorities;
import io.vertx.ext.web.Router;

/**
 * A WebSocket upgrade does not carry Quarkus' deferred HTTP identity into the connection.
 *
 * <p>Quarkus' HTTP security gives every request a lazily resolved identity (a memoized {@code Uni}
 * with captured contexts), and websockets-next keeps the upgrade's routing context, with its data,
 * for as long as the socket is open. The gateway never resolves that identity: {@link UpgradeGuard}
 * verifies the token itself and the connection carries its own caller. Left in place it is about a
 * kilobyte of heap for every open socket, so it is dropped before the upgrade.
 */
@ApplicationScoped
public class UpgradeRequests {

    /**
     * Runs after Quarkus' security filters (a filter of priority p has route order -p) and before the
     * endpoints' own routes, which Vert.x numbers from 0 in the order they are added.
     */
    void routes(@Observes Router router) {
        router.route("/ws/*").order(-SecurityHandlerPriorities.AUTHORIZATION + 1).handler(rc -> {
            rc.remove(QuarkusHttpUser.DEFERRED_IDENTITY_KEY);
            rc.next();
        });
    }
}
