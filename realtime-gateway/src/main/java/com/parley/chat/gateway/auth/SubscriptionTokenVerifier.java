package com.parley.chat.gateway.auth;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.jwt.JsonWebToken;

import com.parley.chat.gateway.config.GatewayConfig;

import io.quarkus.logging.Log;
import io.smallrye.jwt.algorithm.SignatureAlgorithm;
import io.smallrye.jwt.auth.principal.DefaultJWTParser;
import io.smallrye.jwt.auth.principal.JWTAuthContextInfo;
import io.smallrye.jwt.auth.principal.JWTParser;
import io.smallrye.jwt.auth.principal.ParseException;

/**
 * Verifies chat-api's subscription tokens with chat-api's public key: a valid token names the user,
 * tenant and session it admits to (claims {@code sub}, {@code tenant}, {@code session}; issuer
 * and audience "parley-gateway" checked). Valid tokens are remembered until they expire.
 */
@ApplicationScoped
public class SubscriptionTokenVerifier {

    /** What a valid token admits: this user of this tenant to this session, until then. */
    public record Grant(String tenantId, String userId, String sessionId, Instant expiresAt) {
    }

    private final JWTParser parser;
    private final VerifiedTokens<Grant> verified;

    @Inject
    public SubscriptionTokenVerifier(GatewayConfig config) {
        this(config.subscriptionTokens().publicKeyLocation().map(SubscriptionTokenVerifier::read).orElse(null),
                config.subscriptionTokens().issuer(), config.verifiedTokenCache());
    }

    /** @param publicKeyPem null: no key, every token is refused (admission asks chat-api instead) */
    public SubscriptionTokenVerifier(String publicKeyPem, String issuer, int cacheEntries) {
        if (publicKeyPem == null) {
            Log.info("no subscription token key configured: every participant's subscription asks chat-api");
            this.parser = null;
        } else {
            JWTAuthContextInfo info = new JWTAuthContextInfo();
            info.setPublicKeyContent(publicKeyPem);
            info.setIssuedBy(issuer);
            info.setExpectedAudience(Set.of("parley-gateway"));
            info.setSignatureAlgorithm(Set.of(SignatureAlgorithm.RS256));
            this.parser = new DefaultJWTParser(info);
        }
        this.verified = new VerifiedTokens<>(cacheEntries, Grant::expiresAt);
    }

    /** Whether this verifier can decide at all (a key is configured). */
    public boolean enabled() {
        return parser != null;
    }

    /** The grant of a valid token, or null. */
    public Grant verify(String token) {
        if (parser == null || token == null || token.isBlank()) {
            return null;
        }
        return verified.get(token, this::parse);
    }

    private Grant parse(String token) {
        try {
            JsonWebToken jwt = parser.parse(token);
            String tenant = jwt.getClaim("tenant");
            String session = jwt.getClaim("session");
            if (tenant == null || session == null || jwt.getSubject() == null) {
                return null;
            }
            return new Grant(tenant, jwt.getSubject(), session, Instant.ofEpochSecond(jwt.getExpirationTime()));
        } catch (ParseException e) {
            Log.debugf("subscription token refused: %s", e.getMessage());
            return null;
        }
    }

    private static String read(String location) {
        Path path = location.startsWith("file:") ? Path.of(URI.create(location)) : Path.of(location);
        if (!Files.exists(path)) {
            Log.warnf("no subscription token key at %s", location); // an optional Secret not created
            return null;
        }
        try {
            return Files.readString(path);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read chat-api's subscription token key " + location, e);
        }
    }
}
