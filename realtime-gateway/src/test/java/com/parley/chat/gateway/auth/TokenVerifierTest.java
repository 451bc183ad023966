package com.parley.chat.gateway.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import org.jose4j.jwk.EllipticCurveJsonWebKey;
import org.jose4j.jwk.JsonWebKeySet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.parley.chat.gateway.testing.TestConfig;
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
        EllipticCurveJsonWebKey jwk = new EllipticCurveJsonWebKey((ECPublicKey) keys.getPublic());
        jwk.setKeyId(keyId);
        jwk.setAlgorithm("ES256");
        jwk.setUse("sig");
        byte[] body = new JsonWebKeySet(jwk).toJson().getBytes(StandardCharsets.UTF_8);
        jwks = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        jwks.createContext("/certs", exchange -> {
            jwksRequests.incrementAndGet();
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        jwks.start();
        return "http://127.0.0.1:" + jwks.getAddress().getPort() + "/certs";
    }

    private static String token(KeyPair keys, String keyId, String issuer, String tenant, String group) {
        return Jwt.issuer(issuer).subject("alice").audience("parley").claim("tenant", tenant).groups(group)
                .expiresIn(Duration.ofMinutes(5)).jws().keyId(keyId).algorithm(SignatureAlgorithm.ES256)
                .sign(keys.getPrivate());
    }

    @Test
    void es256TokensVerifiedWithTheProvidersJwksAreAcceptedAndVerifiedOnce() throws Exception {
        KeyPair provider = ecKeyPair();
        JWTAuthContextInfo info = new JWTAuthContextInfo();
        info.setPublicKeyLocation(serve(provider, "k1"));
        info.setIssuedBy(ISSUER);
        info.setExpectedAudience(Set.of("parley"));
        info.setSignatureAlgorithm(Set.of(SignatureAlgorithm.ES256));
        TokenVerifier verifier = new TokenVerifier(new DefaultJWTParser(info), TestConfig.gateway());

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
}
