package com.parley.chat.gateway.auth;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

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
