package com.parley.chat.gateway.auth;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.StringJoiner;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpServerRequest;

/**
 * Where a bearer token may come from: the Authorization header, the
 * {@code quarkus-http-upgrade#Authorization#Bearer <token>} WebSocket subprotocol that browsers can
 * send, or a {@code token} query parameter (EventSource cannot set headers). Never logged.
 */
public final class TokenSources {

    public static final String SUBPROTOCOL_PREFIX = "quarkus-http-upgrade#Authorization#";

    private TokenSources() {
    }

    public static String extract(HttpServerRequest request) {
        String header = request.getHeader("Authorization");
        if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return header.substring(7).trim();
        }
        String fromProtocol = fromSubprotocols(request.getHeader("Sec-WebSocket-Protocol"));
        if (fromProtocol != null) {
            return fromProtocol;
        }
        String query = request.getParam("token");
        return query == null || query.isBlank() ? null : query;
    }

    /**
     * Takes the bearer token out of an admitted request's headers (the Authorization header, the
     * subprotocol that carries it): the connection keeps its handshake request, and with it copies
     * of every header, for as long as it is open, while the verified token already lives in its
     * {@link Caller}. The other subprotocols stay, so the handshake still agrees on one.
     */
    public static void forget(MultiMap headers) {
        headers.remove("Authorization");
        String protocols = headers.get("Sec-WebSocket-Protocol");
        if (protocols != null && fromSubprotocols(protocols) != null) {
            headers.set("Sec-WebSocket-Protocol", withoutToken(protocols));
        }
    }

    /** The subprotocols of a {@code Sec-WebSocket-Protocol} header but the one that carries a token. */
    static String withoutToken(String protocols) {
        StringJoiner kept = new StringJoiner(", ");
        for (String protocol : protocols.split(",")) {
            if (fromSubprotocols(protocol) == null) {
                kept.add(protocol.trim());
            }
        }
        return kept.toString();
    }

    /** The token in a {@code Sec-WebSocket-Protocol} header; a malformed escape is no token (401), never an error. */
    static String fromSubprotocols(String protocols) {
        if (protocols == null) {
            return null;
        }
        for (String protocol : protocols.split(",")) {
            String p;
            try {
                p = URLDecoder.decode(protocol.trim(), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException malformed) {
                continue;
            }
            if (p.startsWith(SUBPROTOCOL_PREFIX)) {
                String value = p.substring(SUBPROTOCOL_PREFIX.length());
                if (value.regionMatches(true, 0, "Bearer ", 0, 7)) {
                    return value.substring(7).trim();
                }
            }
        }
        return null;
    }
}
