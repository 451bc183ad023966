package com.parley.chat.gateway.client;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.parley.chat.gateway.client.SessionSubscription.Present;
import com.parley.chat.gateway.protocol.SessionKey;
import com.parley.chat.gateway.testing.FakeTransport;
import com.parley.chat.gateway.testing.Fixtures;

class SessionSubscriptionTest {

    private final Fixtures fx = new Fixtures();

    private SessionSubscription subscription() {
        ClientConnection alice = new ClientConnection("c", Fixtures.caller("acme", "alice", "user"),
                new FakeTransport(), fx.context);
        return new SessionSubscription(alice, new SessionKey("acme", "s"), 0, fx.context,
                () -> new Present("{}", List.of()), true, (x, notFound) -> { });
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
