package com.parley.chat.gateway.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

import io.vertx.core.MultiMap;

/** The token in the browser's subprotocol header, and headers that carry none. */
class TokenSourcesTest {

    @Test
    void readsTheBearerSubprotocolAndTakesAMalformedEscapeForNoToken() {
        assertEquals("abc.def.ghi", TokenSources.fromSubprotocols(
                "bearer-token-carrier, quarkus-http-upgrade%23Authorization%23Bearer%20abc.def.ghi"));
        assertEquals("abc.def.ghi", TokenSources.fromSubprotocols(
                "bearer-token-carrier, quarkus-http-upgrade#Authorization#Bearer%20abc.def.ghi"));
        assertNull(TokenSources.fromSubprotocols("bearer-token-carrier, quarkus-http-upgrade#Authorization#Bearer%zz"));
        assertNull(TokenSources.fromSubprotocols("%"));
        assertNull(TokenSources.fromSubprotocols("chat"));
        assertNull(TokenSources.fromSubprotocols(null));
    }

    @Test
    void forgettingTheTokenLeavesTheOtherSubprotocolsAndHeaders() {
        MultiMap headers = MultiMap.caseInsensitiveMultiMap()
                .add("Authorization", "Bearer abc.def.ghi")
                .add("Sec-WebSocket-Protocol", "bearer-token-carrier, quarkus-http-upgrade%23Authorization%23Bearer%20abc.def.ghi")
                .add("Origin", "https://shop.example");
        TokenSources.forget(headers);
        assertNull(headers.get("Authorization"));
        assertEquals("bearer-token-carrier", headers.get("Sec-WebSocket-Protocol"));
        assertEquals("https://shop.example", headers.get("Origin"));

        MultiMap noToken = MultiMap.caseInsensitiveMultiMap().add("Sec-WebSocket-Protocol", "chat, superchat");
        TokenSources.forget(noToken);
        assertEquals("chat, superchat", noToken.get("Sec-WebSocket-Protocol"));
    }
}
