package com.parley.chat.gateway.admission;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.eclipse.microprofile.jwt.JsonWebToken;
import org.junit.jupiter.api.Test;

import com.parley.chat.gateway.admission.AccessAuthority.Verdict;
import com.parley.chat.gateway.admission.AdmissionControl.Admission;
import com.parley.chat.gateway.admission.AdmissionControl.Target;
import com.parley.chat.gateway.auth.SubscriptionTokenVerifier;
import com.parley.chat.gateway.auth.TokenVerifier;
import com.parley.chat.gateway.config.GatewayConfig;
import com.parley.chat.gateway.testing.Fixtures;
import com.parley.chat.gateway.testing.TestConfig;
import com.parley.infra.DevKeys;
import com.parley.infra.DevTokens;

import io.smallrye.jwt.auth.principal.DefaultJWTParser;
import io.smallrye.jwt.build.Jwt;
import io.smallrye.jwt.auth.principal.JWTAuthContextInfo;
import io.smallrye.jwt.auth.principal.ParseException;
import io.smallrye.mutiny.Uni;

/** Admission with real RS256 tokens and chat-api replaced by an authority that counts questions. */
class AdmissionControlTest {

    private static final KeyPair KEYS = DevKeys.generate();
    /** chat-api's subscription token key pair. */
    private static final KeyPair CHAT_API = DevKeys.generate();
    private final SubscriptionTokenVerifier subscriptionTokens = new SubscriptionTokenVerifier(
            pem(CHAT_API.getPublic().getEncoded()), "https://chat-api.parley.local", 1000);
    private final DevTokens tokens = new DevTokens(KEYS.getPrivate());
    private final AtomicInteger questions = new AtomicInteger();
    private volatile Verdict answer = Verdict.ALLOWED;

    private AdmissionControl admission(String... config) {
        GatewayConfig gateway = TestConfig.gateway(config);
        return admission(gateway, new TokenVerifier(new DefaultJWTParser(keys()), gateway));
    }

    private AdmissionControl admission(GatewayConfig gateway, TokenVerifier verifier) {
        AccessAuthority chatApi = (caller, sessionId) -> {
            questions.incrementAndGet();
            return Uni.createFrom().item(answer);
        };
        Fixtures fx = new Fixtures();
        return new AdmissionControl(gateway, verifier,
                new SessionAdmission(subscriptionTokens, new SessionAccess(chatApi, gateway), fx.metrics), fx.metrics);
    }

    private static JWTAuthContextInfo keys() {
        JWTAuthContextInfo info = new JWTAuthContextInfo((RSAPublicKey) KEYS.getPublic(), DevTokens.ISSUER);
        info.setExpectedAudience(Set.of(DevTokens.AUDIENCE));
        return info;
    }

    private static String pem(byte[] der) {
        return "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder().encodeToString(der)
                + "\n-----END PUBLIC KEY-----\n";
    }

    /** A subscription token as chat-api signs it. */
    private static String subscriptionToken(PrivateKey key, String tenant, String user, String session,
            Duration ttl) {
        return Jwt.issuer("https://chat-api.parley.local").subject(user).audience("parley-gateway")
                .claim("tenant", tenant).claim("session", session).expiresIn(ttl).sign(key);
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
            Admission result = await(control.admit(c.origin(), c.token(), c.transport(), c.tenant(),
                    c.session() == null ? Target.DASHBOARD : Target.SESSION, c.session(), null));
            assertEquals(c.status(), result.status(), c.toString());
            assertEquals(c.reason(), result.reason(), c.toString());
        }
        assertEquals(0, questions.get(), "chat-api was never asked");
    }

    @Test
    void aSessionIdThatIsNoSessionIdNeverReachesChatApi() {
        AdmissionControl control = admission();
        String alice = tokens.issue("acme", "alice", "user");
        for (String id : List.of("../../admin", "s?x=1", "a/b", "x".repeat(65), "", "s%2F1")) {
            Admission result = await(control.admit(null, alice, "ws", "acme", Target.SESSION, id, null));
            assertEquals(404, result.status(), id);
        }
        assertEquals(0, questions.get());
    }

    @Test
    void staffOpenTheDashboardWithoutAQuestion() {
        Admission result = await(admission().admit(null, tokens.issue("acme", "sam", "supporter"), "ws", "acme",
                Target.DASHBOARD, null, null));
        assertTrue(result.admitted());
        assertEquals("sam", result.caller().userId());
        assertEquals(0, questions.get());
    }

    @Test
    void aSessionIsOpenedWhenChatApiSaysSoAndTheAnswerIsRemembered() {
        AdmissionControl control = admission();
        String alice = tokens.issue("acme", "alice", "user");
        assertTrue(await(control.admit(null, alice, "ws", "acme", Target.SESSION, "s-1", null)).admitted());
        assertTrue(await(control.admit(null, alice, "ws", "acme", Target.SESSION, "s-1", null)).admitted());
        assertEquals(1, questions.get());

        answer = Verdict.NOT_FOUND;
        Admission stranger = await(control.admit(null, tokens.issue("acme", "mallory", "user"), "ws", "acme", Target.SESSION,
                "s-1", null));
        assertEquals(403, stranger.status());
        assertEquals("session", stranger.reason());

        answer = Verdict.UNAVAILABLE;
        Admission down = await(control.admit(null, tokens.issue("acme", "bob", "user"), "ws", "acme", Target.SESSION, "s-2",
                null));
        assertEquals(503, down.status());
    }

    @Test
    void chatApisSubscriptionTokenAdmitsItsParticipantWithoutAQuestion() {
        AdmissionControl control = admission();
        String alice = tokens.issue("acme", "alice", "user");
        String valid = subscriptionToken(CHAT_API.getPrivate(), "acme", "alice", "s-1", Duration.ofMinutes(5));
        assertTrue(await(control.admit(null, alice, "ws", "acme", Target.SESSION, "s-1", valid)).admitted());
        assertTrue(await(control.admit(null, alice, "ws", "acme", Target.SESSION, "s-1", valid)).admitted());
        assertEquals(0, questions.get());
        assertTrue(await(control.admit(null, tokens.issue("acme", "sam", "supporter"), "ws", "acme", Target.SESSION,
                "s-1", null)).admitted(), "staff follow any session of their tenant");
        assertEquals(0, questions.get());

        List<String> notForThis = List.of(
                subscriptionToken(CHAT_API.getPrivate(), "acme", "alice", "s-2", Duration.ofMinutes(5)),
                subscriptionToken(CHAT_API.getPrivate(), "acme", "bob", "s-1", Duration.ofMinutes(5)),
                subscriptionToken(CHAT_API.getPrivate(), "globex", "alice", "s-1", Duration.ofMinutes(5)),
                subscriptionToken(CHAT_API.getPrivate(), "acme", "alice", "s-1", Duration.ofSeconds(-60)),
                subscriptionToken(KEYS.getPrivate(), "acme", "alice", "s-1", Duration.ofMinutes(5)),
                "not-a-token");
        answer = Verdict.NOT_FOUND;
        for (String token : notForThis) {
            Admission result = await(control.admit(null, tokens.issue("acme", "alice", "user", Duration.ofHours(1)),
                    "ws", "acme", Target.SESSION, "s-9", token));
            assertEquals(403, result.status(), "chat-api decides, and says no");
        }
        assertEquals(1, questions.get(), "asked once for alice and s-9 (the answer is cached)");
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
        Fixtures fx = new Fixtures();
        AdmissionControl control = new AdmissionControl(gateway, new TokenVerifier(new DefaultJWTParser(info), gateway),
                new SessionAdmission(subscriptionTokens, new SessionAccess(slow, gateway), fx.metrics), fx.metrics);
        String alice = tokens.issue("acme", "alice", "user");
        List<CompletableFuture<Admission>> burst = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            burst.add(control.admit(null, alice, "ws", "acme", Target.SESSION, "s-1", null).subscribeAsCompletionStage());
        }
        pending.complete(Verdict.ALLOWED);
        for (var admission : burst) {
            assertTrue(admission.join().admitted());
        }
        assertEquals(1, questions.get());
    }

    @Test
    void aTokenThatMayNeedTheIdentityProvidersKeysIsVerifiedOffTheCallersThread() throws Exception {
        CompletableFuture<Thread> verifiedOn = new CompletableFuture<>();
        DefaultJWTParser recording = new DefaultJWTParser(keys()) {
            @Override
            public JsonWebToken parse(String token) throws ParseException {
                verifiedOn.complete(Thread.currentThread());
                return super.parse(token);
            }
        };
        GatewayConfig gateway = TestConfig.gateway();
        AdmissionControl control = admission(gateway,
                new TokenVerifier(recording, gateway, Optional.of("https://id.example/realms/acme/certs"),
                        TokenVerifier.DEFAULT_CLOCK_SKEW));

        Admission result = await(control.admit(null, tokens.issue("acme", "sam", "supporter"), "ws", "acme",
                Target.DASHBOARD, null, null));

        assertTrue(result.admitted());
        assertNotSame(Thread.currentThread(), verifiedOn.get(5, TimeUnit.SECONDS),
                "keys from a JWKS URL may be fetched while verifying: not on the upgrade's event loop");
    }
}
