package com.parley.chat.gateway.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.parley.chat.gateway.auth.Caller;
import com.parley.chat.gateway.client.SessionSubscription.Present;
import com.parley.chat.gateway.protocol.SessionKey;
import com.parley.chat.gateway.testing.FakeTransport;
import com.parley.chat.gateway.testing.Fixtures;

class SessionSubscriptionTest {

    private final Fixtures fx = new Fixtures();

    private final FakeTransport socket = new FakeTransport();
    private final Caller alice = Fixtures.caller("acme", "alice", "user");

    private SessionSubscription subscription() {
        ClientConnection alice = new ClientConnection("c", this.alice, socket, fx.context);
        return new SessionSubscription(alice, new SessionKey("acme", "s"), 0, fx.context,
                () -> new Present("{}", List.of(), null), true, (x, notFound) -> { });
    }

    @Test
    void theOneSessionSocketsGreetingSaysWhenTheConnectionEndsWithoutAFreshToken() {
        fx.history.store(new SessionKey("acme", "s"), 1);
        SessionSubscription subscription = subscription();
        subscription.connection().add(subscription);
        subscription.start();

        JsonNode connected = socket.json().getFirst();
        assertEquals("connected", connected.path("type").asText(), socket.frames().toString());
        assertEquals(alice.expiresAt(), Instant.parse(connected.path("expires_at").asText()));
    }

    @Test
    void stillTypingIsSaidAgainOnlyOnceTheRepeatIntervalHasPassedSoThatTheOthersKeepShowingIt() {
        SessionSubscription subscription = subscription();
        long start = 1_000_000_000L;
        long repeat = fx.config.limits().typingRepeat().toNanos();

        assertTrue(subscription.typingSays(true, start), "the first");
        assertFalse(subscription.typingSays(true, start + repeat - 1), "a keystroke later: nothing new");
        assertTrue(subscription.typingSays(true, start + repeat), "a refresh: the others forget a silent typist");
        assertTrue(subscription.typingSays(false, start + repeat + 1), "a stop always goes out");
        assertFalse(subscription.typingSays(false, start + 10 * repeat), "stopped already");
        assertTrue(Duration.ofSeconds(5).compareTo(fx.config.limits().typingRepeat()) > 0,
                "shorter than the browser client's refresh (5 s): every refresh goes out");
    }
}
