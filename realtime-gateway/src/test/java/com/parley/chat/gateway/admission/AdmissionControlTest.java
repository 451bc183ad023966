package com.parley.chat.gateway.admission;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.KeyPair;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import com.parley.chat.gateway.admission.AccessAuthority.Verdict;
import com.parley.chat.gateway.admission.AdmissionControl.Admission;
import com.parley.chat.gateway.auth.TokenVerifier;
import com.parley.chat.gateway.config.GatewayConfig;
import com.parley.chat.gateway.testing.Fixtures;
import com.parley.chat.gateway.testing.TestConfig;
import com.parley.infra.DevKeys;
import com.parley.infra.DevTokens;

import io.smallrye.jwt.auth.principal.DefaultJWTParser;
import io.smallrye.jwt.auth.principal.JWTAuthContextInfo;
import io.smallrye.mutiny.Uni;

/** Admission with real RS256 tokens and chat-api replaced by an authority that counts questions. */
class AdmissionControlTest {

    private static final KeyPair KEYS = DevKeys.generate();
    private final DevTokens tokens = new DevTokens(KEYS.getPrivate());
    private final AtomicInteger questions = new AtomicInteger();
    private volatile Verdict answer = Verdict.ALLOWED;

    private AdmissionControl admission(String... config) {
        GatewayConfig gateway = TestConfig.gateway(config);
        JWTAuthContextInfo info = new JWTAuthContextInfo((RSAPublicKey) KEYS.getPublic(), DevTokens.ISSUER);
        info.setExpectedAudience(Set.of(DevTokens.AUDIENCE));
        AccessAuthority chatApi = (caller, sessionId) -> {
            questions.incrementAndGet();
            return Uni.createFrom().item(answer);
        };
        return new AdmissionControl(gateway, new TokenVerifier(new DefaultJWTParser(info)),
                new SessionAccess(chatApi, gateway), new Fixtures().metrics);
    }

    private static Admission await(Uni<Admission> admission) {
        return admission.await().atMost(Duration.ofSeconds(5));
    }

    @Test
    void refusesBeforeAskingAnyoneWhatTheTokenAloneDecides() {
        AdmissionControl control = admission("allowed-origins", "https://shop.example", "transports", "ws");
        String alice = tokens.issue("acme", "alice", "user");
        record Case(String origin, String token, String transport, String tenant, String session, int status,
                String reason) {
        }
        List<Case> cases = List.of(
                new Case(null, alice, "sse", "acme", "s", 404, "transport"),
                new Case("https://evil.example", alice, "ws", "acme", "s", 403, "origin"),
                new Case(null, null, "ws", "acme", "s", 401, "token"),
                new Case(null, "not.a.token", "ws", "acme", "s", 401, "token"),
                new Case(null, DevTokens.signedByStranger("acme", "alice", "user"), "ws", "acme", "s", 401, "token"),
                new Case(null, tokens.issue("acme", "alice", "user", Duration.ofSeconds(-60)), "ws", "acme", "s", 401,
                        "token"),
                new Case("https://shop.example", alice, "ws", "globex", "s", 403, "tenant"),
                new Case(null, alice, "ws", "acme", null, 403, "role"));
        for (Case c : cases) {
            Admission result = await(control.admit(c.origin(), c.token(), c.transport(), c.tenant(), c.session()));
            assertEquals(c.status(), result.status(), c.toString());
            assertEquals(c.reason(), result.reason(), c.toString());
        }
        assertEquals(0, questions.get(), "chat-api was never asked");
    }

    @Test
    void staffOpenTheDashboardWithoutAQuestion() {
        Admission result = await(admission().admit(null, tokens.issue("acme", "sam", "supporter"), "ws", "acme", null));
        assertTrue(result.admitted());
        assertEquals("sam", result.caller().userId());
        assertEquals(0, questions.get());
    }

    @Test
    void aSessionIsOpenedWhenChatApiSaysSoAndTheAnswerIsRemembered() {
        AdmissionControl control = admission();
        String alice = tokens.issue("acme", "alice", "user");
        assertTrue(await(control.admit(null, alice, "ws", "acme", "s-1")).admitted());
        assertTrue(await(control.admit(null, alice, "ws", "acme", "s-1")).admitted());
        assertEquals(1, questions.get());

        answer = Verdict.NOT_FOUND;
        Admission stranger = await(control.admit(null, tokens.issue("acme", "mallory", "user"), "ws", "acme", "s-1"));
        assertEquals(403, stranger.status());
        assertEquals("session", stranger.reason());

        answer = Verdict.UNAVAILABLE;
        Admission down = await(control.admit(null, tokens.issue("acme", "bob", "user"), "ws", "acme", "s-2"));
        assertEquals(503, down.status());
    }

    @Test
    void aBurstOfConnectionsToOneSessionAsksOnce() {
        CompletableFuture<Verdict> pending = new CompletableFuture<>();
        GatewayConfig gateway = TestConfig.gateway();
        JWTAuthContextInfo info = new JWTAuthContextInfo((RSAPublicKey) KEYS.getPublic(), DevTokens.ISSUER);
        info.setExpectedAudience(Set.of(DevTokens.AUDIENCE));
        AccessAuthority slow = (caller, sessionId) -> {
            questions.incrementAndGet();
            return Uni.createFrom().completionStage(pending);
        };
        AdmissionControl control = new AdmissionControl(gateway, new TokenVerifier(new DefaultJWTParser(info)),
                new SessionAccess(slow, gateway), new Fixtures().metrics);
        String alice = tokens.issue("acme", "alice", "user");
        List<CompletableFuture<Admission>> burst = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            burst.add(control.admit(null, alice, "ws", "acme", "s-1").subscribeAsCompletionStage());
        }
        pending.complete(Verdict.ALLOWED);
        for (var admission : burst) {
            assertTrue(admission.join().admitted());
        }
        assertEquals(1, questions.get());
    }
}
