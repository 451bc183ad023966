package com.parley.chat.gateway.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.security.KeyPair;
import java.security.PrivateKey;
import java.time.Duration;
import java.util.Base64;

import org.junit.jupiter.api.Test;

import com.parley.infra.DevKeys;

import io.smallrye.jwt.build.Jwt;

/**
 * chat-api's subscription tokens checked with the public keys the gateway is given. Rotating
 * chat-api's key pair must not send a single subscription to chat-api: the gateways take the new
 * public key next to the old one first, then chat-api signs with the new private key, and the old
 * public key goes an hour later (docs/operations.md).
 */
class SubscriptionTokenVerifierTest {

    private static final String ISSUER = "https://chat-api.parley.local";
    private static final KeyPair OLD = DevKeys.generate();
    private static final KeyPair NEW = DevKeys.generate();
    private static final KeyPair STRANGER = DevKeys.generate();

    private static String pem(KeyPair keys) {
        return "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder().encodeToString(keys.getPublic().getEncoded())
                + "\n-----END PUBLIC KEY-----\n";
    }

    private static String token(PrivateKey key, String session) {
        return Jwt.issuer(ISSUER).subject("alice").audience("parley-gateway").claim("tenant", "acme")
                .claim("session", session).expiresIn(Duration.ofMinutes(60)).sign(key);
    }

    @Test
    void oneKeyAdmitsTheTokensItSignedOnly() {
        SubscriptionTokenVerifier verifier = new SubscriptionTokenVerifier(pem(OLD), ISSUER, 100);

        SubscriptionTokenVerifier.Grant grant = verifier.verify(token(OLD.getPrivate(), "s-1"));
        assertNotNull(grant);
        assertEquals("acme", grant.tenantId());
        assertEquals("alice", grant.userId());
        assertEquals("s-1", grant.sessionId());
        assertNull(verifier.verify(token(NEW.getPrivate(), "s-1")));
    }

    @Test
    void duringARotationTokensOfTheOldAndTheNewKeyAreBothAdmittedAndNoOther() {
        // the verify Secret's publicKey.pem holds both keys while chat-api moves to the new one
        SubscriptionTokenVerifier verifier = new SubscriptionTokenVerifier(pem(NEW) + pem(OLD), ISSUER, 100);

        assertEquals("s-old", verifier.verify(token(OLD.getPrivate(), "s-old")).sessionId());
        assertEquals("s-new", verifier.verify(token(NEW.getPrivate(), "s-new")).sessionId());
        assertNull(verifier.verify(token(STRANGER.getPrivate(), "s-1")));
        assertNull(verifier.verify("not.a.token"));
    }

    @Test
    void aTokenForAnotherIssuerIsRefusedWhicheverKeySignedIt() {
        SubscriptionTokenVerifier verifier = new SubscriptionTokenVerifier(pem(OLD) + pem(NEW), ISSUER, 100);
        String foreign = Jwt.issuer("https://elsewhere.example").subject("alice").audience("parley-gateway")
                .claim("tenant", "acme").claim("session", "s-1").expiresIn(Duration.ofMinutes(5))
                .sign(NEW.getPrivate());

        assertNull(verifier.verify(foreign));
    }
}
