package com.parley.chat.gateway.ws;

import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import com.parley.chat.gateway.http.HttpProblems;

import io.quarkus.vertx.http.runtime.security.QuarkusHttpUser;
import io.quarkus.vertx.http.runtime.security.SecurityHandlerPriorities;
import io.vertx.ext.web.Router;

/**
 * What reaches {@code /ws/} is a WebSocket upgrade, and it does not carry Quarkus' deferred HTTP
 * identity into the connection.
 *
 * <p>A request without {@code Upgrade: websocket} is answered 426 with a problem that says so: it is
 * what a proxy in front sends when it does not pass the upgrade on, and a 404 sent people looking
 * for a wrong URL.
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
            if (!isWebSocketUpgrade(rc.request().getHeader("Upgrade"))) {
                HttpProblems.send(rc.response(), 426, "upgrade-required", "Upgrade Required",
                        "This is a WebSocket endpoint: open it with a WebSocket client. A proxy in front must pass "
                                + "the Upgrade and Connection headers on (docs/operations.md).",
                        Map.of("Upgrade", List.of("websocket"), "Connection", List.of("Upgrade")), null);
                return;
            }
            rc.remove(QuarkusHttpUser.DEFERRED_IDENTITY_KEY);
            rc.next();
        });
    }

    /** Whether an Upgrade header's list of protocols names websocket. */
    static boolean isWebSocketUpgrade(String upgrade) {
        if (upgrade == null) {
            return false;
        }
        for (String protocol : upgrade.split(",")) {
            if (protocol.trim().equalsIgnoreCase("websocket")) {
                return true;
            }
        }
        return false;
    }
}
