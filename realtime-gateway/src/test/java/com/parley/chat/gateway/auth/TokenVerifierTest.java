package com.parley.chat.gateway.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiFunction;

import org.jose4j.jwk.EllipticCurveJsonWebKey;
import org.jose4j.jwk.JsonWebKeySet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.parley.chat.gateway.client.ClientConnection;
import com.parley.chat.gateway.testing.FakeTransport;
import com.parley.chat.gateway.testing.Fixtures;
import com.parley.chat.gateway.testing.TestConfig;
import com.parley.infra.DevKeys;
import com.parley.infra.DevTokens;
import com.sun.net.httpserver.HttpServer;

import io.smallrye.jwt.algorithm.SignatureAlgorithm;
import io.smallrye.jwt.auth.principal.DefaultJWTParser;
import io.smallrye.jwt.auth.principal.JWTAuthContextInfo;
import io.smallrye.jwt.build.Jwt;

/**
 * Tokens of an identity provider that publishes its keys as a JWKS URL and signs with ES256, as
 * Keycloak can: accepted like RS256 tokens from a PEM, and verified once per token.
 */
class TokenVerifierTest {

    private static final String ISSUER = "https://id.example.com/realms/parley";
    private HttpServer jwks;
    private final AtomicInteger jwksRequests = new AtomicInteger();
    private final AtomicReference<byte[]> published = new AtomicReference<>();

    @AfterEach
    void stop() {
        if (jwks != null) {
            jwks.stop(0);
        }
    }

    private static KeyPair ecKeyPair() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        return generator.generateKeyPair();
    }

    /** A local JWKS endpoint publishing the public key under a key id. */
    private String serve(KeyPair keys, String keyId) throws IOException {
        publish(Map.of(keyId, keys));
        jwks = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        jwks.createContext("/certs", exchange -> {
            jwksRequests.incrementAndGet();
            byte[] body = published.get();
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        jwks.start();
        return "http://127.0.0.1:" + jwks.getAddress().getPort() + "/certs";
    }

    /** What the endpoint answers from now on: the public keys by key id, as a provider publishes them. */
    private void publish(Map<String, KeyPair> keys) {
        JsonWebKeySet set = new JsonWebKeySet();
        keys.forEach((keyId, pair) -> {
            EllipticCurveJsonWebKey jwk = new EllipticCurveJsonWebKey((ECPublicKey) pair.getPublic());
            jwk.setKeyId(keyId);
            jwk.setAlgorithm("ES256");
            jwk.setUse("sig");
            set.addJsonWebKey(jwk);
        });
        published.set(set.toJson().getBytes(StandardCharsets.UTF_8));
    }

    private JWTAuthContextInfo provider(String jwksUrl) {
        JWTAuthContextInfo info = new JWTAuthContextInfo();
        info.setPublicKeyLocation(jwksUrl);
        info.setIssuedBy(ISSUER);
        info.setExpectedAudience(Set.of("parley"));
        info.setSignatureAlgorithm(Set.of(SignatureAlgorithm.ES256));
        return info;
    }

    private static String token(KeyPair keys, String keyId, String issuer, String tenant, String group) {
        return Jwt.issuer(issuer).subject("alice").audience("parley").claim("tenant", tenant).groups(group)
                .expiresIn(Duration.ofMinutes(5)).jws().keyId(keyId).algorithm(SignatureAlgorithm.ES256)
                .sign(keys.getPrivate());
    }

    /** An identity provider's RS256 key pair, as the local system and the integration tests use. */
    private static final KeyPair RSA = DevKeys.generate();

    /** Verifies the tokens {@link #RSA} signs, from a PEM-like local key. */
    private static TokenVerifier rsaVerifier() {
        JWTAuthContextInfo info = new JWTAuthContextInfo((RSAPublicKey) RSA.getPublic(), DevTokens.ISSUER);
        info.setExpectedAudience(Set.of(DevTokens.AUDIENCE));
        return new TokenVerifier(new DefaultJWTParser(info), TestConfig.gateway());
    }

    @Test
    void aTokenWhoseTenantOrSubjectChatApiWouldRefuseIsRefusedHereToo() {
        // the same rules as chat-api's (Caller.of): a tenant of one string up to 64 characters, a sub
        // up to 255, neither blank nor holding NUL; a listed tenant threw (500), a blank sub was admitted
        TokenVerifier verifier = rsaVerifier();
        BiFunction<String, Object, String> token = (subject, tenant) -> Jwt
                .issuer(DevTokens.ISSUER).audience(DevTokens.AUDIENCE)
                .subject(subject).claim("tenant", tenant).groups("user").expiresIn(Duration.ofMinutes(5))
                .sign(RSA.getPrivate());

        assertNotNull(verifier.verify(token.apply("alice", "acme")));
        assertNull(verifier.verify(token.apply("alice", List.of("acme"))), "a list of tenants");
        assertNull(verifier.verify(token.apply("alice", 42)), "a number");
        assertNull(verifier.verify(token.apply("alice", "")), "a blank tenant");
        assertNull(verifier.verify(token.apply("alice", "t".repeat(65))), "a tenant longer than chat-api stores");
        assertNull(verifier.verify(token.apply("", "acme")), "a blank sub");
        assertNull(verifier.verify(token.apply("ali\u0000ce", "acme")), "a NUL in the sub");
        assertNull(verifier.verify(token.apply("u".repeat(256), "acme")), "a sub longer than chat-api stores");
    }

    @Test
    void aTokenAcceptedWithinTheClockSkewIsNotTakenForExpiredTheMomentItIsAccepted() {
        // smallrye-jwt accepts a token up to mp.jwt.verify.clock.skew (60 s) past its exp, as chat-api
        // does; the connection it opened was closed with 4401 within the second, and a client whose
        // token source still held that token reconnected and was closed again, once a second
        TokenVerifier verifier = rsaVerifier();
        Instant exp = Instant.now().minusSeconds(20);
        String late = Jwt.issuer(DevTokens.ISSUER).audience(DevTokens.AUDIENCE).subject("alice")
                .claim("tenant", "acme").groups("user").issuedAt(exp.minusSeconds(300)).expiresAt(exp)
                .sign(RSA.getPrivate());

        Caller caller = verifier.verify(late);
        assertNotNull(caller, "accepted within the skew");
        ClientConnection connection = new ClientConnection("c", caller, new FakeTransport(), new Fixtures().context);
        assertFalse(connection.expired(System.currentTimeMillis()), "not expired the moment it was accepted");
        assertTrue(connection.expired(exp.plusSeconds(61).toEpochMilli()), "expired when no verifier would take it");
    }

    @Test
    void aTokenNotValidYetIsRefusedAndOneIssuedByAFastClockIsAccepted() {
        // nbf says "not yet"; an iat ahead of this clock is informational (RFC 7519), as in chat-api
        TokenVerifier verifier = rsaVerifier();
        Instant later = Instant.now().plus(Duration.ofMinutes(10));
        String notYet = Jwt.issuer(DevTokens.ISSUER).audience(DevTokens.AUDIENCE).subject("alice")
                .claim("tenant", "acme").groups("user").claim("nbf", later.getEpochSecond())
                .expiresAt(later.plus(Duration.ofHours(1))).sign(RSA.getPrivate());
        assertNull(verifier.verify(notYet), "not valid before its nbf");
        String fastClock = Jwt.issuer(DevTokens.ISSUER).audience(DevTokens.AUDIENCE).subject("alice")
                .claim("tenant", "acme").groups("user").issuedAt(later).expiresAt(later.plus(Duration.ofHours(1)))
                .sign(RSA.getPrivate());
        assertNotNull(verifier.verify(fastClock), "issued by a clock ten minutes fast");
    }

    @Test
    void es256TokensVerifiedWithTheProvidersJwksAreAcceptedAndVerifiedOnce() throws Exception {
        KeyPair provider = ecKeyPair();
        TokenVerifier verifier = new TokenVerifier(new DefaultJWTParser(provider(serve(provider, "k1"))),
                TestConfig.gateway());

        String token = token(provider, "k1", ISSUER, "acme", "supporter");
        Caller caller = verifier.verify(token);
        assertNotNull(caller);
        assertEquals("acme", caller.tenantId());
        assertEquals("supporter", caller.role());
        assertNotNull(verifier.verify(token), "the second time from memory");

        assertNull(verifier.verify(token(ecKeyPair(), "k1", ISSUER, "acme", "user")), "another key");
        assertNull(verifier.verify(token(provider, "k1", "https://evil.example", "acme", "user")), "another issuer");
        assertNull(verifier.verify(token(provider, "k1", ISSUER, "acme", "superuser")), "no role of ours");
    }

    @Test
    void aKeyTheProviderRotatesToIsAcceptedWithoutARestartAndMadeUpKeyIdsDoNotFloodIt() throws Exception {
        KeyPair first = ecKeyPair();
        JWTAuthContextInfo info = provider(serve(first, "k1"));
        info.setForcedJwksRefreshInterval(1); // minutes, as application.properties sets it
        TokenVerifier verifier = new TokenVerifier(new DefaultJWTParser(info), TestConfig.gateway());
        assertNotNull(verifier.verify(token(first, "k1", ISSUER, "acme", "user")));
        assertEquals(1, jwksRequests.get());

        // Keycloak adds a key and signs with it at once; the old one stays published for a while
        KeyPair second = ecKeyPair();
        publish(Map.of("k1", first, "k2", second));
        Thread.sleep(400); // jose4j ignores a refresh asked for within 300 ms of the last fetch; a rotation comes later
        assertNotNull(verifier.verify(token(second, "k2", ISSUER, "acme", "user")), "the new key, fetched on sight");
        assertEquals(2, jwksRequests.get());
        assertNotNull(verifier.verify(token(first, "k1", ISSUER, "acme", "user")), "the old key while published");

        // a token naming a key id nobody published: refused, and the endpoint is not asked again
        assertNull(verifier.verify(token(ecKeyPair(), "k3", ISSUER, "acme", "user")));
        assertNull(verifier.verify(token(ecKeyPair(), "k4", ISSUER, "acme", "user")));
        assertEquals(2, jwksRequests.get(), "at most one forced refresh a minute");
    }

    @Test
    void theNameClaimIsOneLineOfTextOrNoName() {
        assertEquals("Sam Smith", TokenVerifier.displayName("  Sam Smith "));
        assertEquals("Zoë Ñúñez 山田", TokenVerifier.displayName("Zoë Ñúñez 山田"));
        assertNull(TokenVerifier.displayName(null));
        assertNull(TokenVerifier.displayName(42));
        assertNull(TokenVerifier.displayName("   "));
        assertNull(TokenVerifier.displayName("Sam\nSmith"), "a line break");
        assertNull(TokenVerifier.displayName("Sam\u202eSmith"), "a right-to-left override");
        assertNull(TokenVerifier.displayName("x".repeat(101)));
    }
}
