package com.parley.chat.gateway.auth;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

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
 *
 * <p>The key file may hold several public keys, one PEM block each: a token signed by any of them
 * is valid. That is how chat-api's key pair is rotated without a single subscription falling back
 * to chat-api: the gateways take the new key next to the old one, then chat-api signs with the new
 * one, and the old one goes once its last token has expired (docs/operations.md).
 */
@ApplicationScoped
public class SubscriptionTokenVerifier {

    /** What a valid token admits: this user of this tenant to this session, until then. */
    public record Grant(String tenantId, String userId, String sessionId, Instant expiresAt) {
    }

    private static final Pattern PEM_BLOCK = Pattern.compile(
            "-----BEGIN PUBLIC KEY-----[^-]+-----END PUBLIC KEY-----");

    /** One parser per public key, tried in the file's order; empty: no key. */
    private final List<JWTParser> parsers;
    private final VerifiedTokens<Grant> verified;

    @Inject
    public SubscriptionTokenVerifier(GatewayConfig config) {
        this(config.subscriptionTokens().publicKeyLocation().map(SubscriptionTokenVerifier::read).orElse(null),
                config.subscriptionTokens().issuer(), config.verifiedTokenCache());
    }

    /**
     * @param publicKeysPem one or more PEM public keys; null: no key, every token is refused
     *        (admission asks chat-api instead)
     */
    public SubscriptionTokenVerifier(String publicKeysPem, String issuer, int cacheEntries) {
        this.parsers = publicKeysPem == null ? List.of() : keys(publicKeysPem).stream()
                .map(key -> parser(key, issuer)).toList();
        if (parsers.isEmpty()) {
            Log.info("no subscription token key configured: every participant's subscription asks chat-api");
        } else if (parsers.size() > 1) {
            Log.infof("%d subscription token keys: a token signed by any of them is valid", parsers.size());
        }
        this.verified = new VerifiedTokens<>(cacheEntries, Grant::expiresAt);
    }

    private static List<String> keys(String pem) {
        List<String> blocks = PEM_BLOCK.matcher(pem).results().map(match -> match.group()).toList();
        return blocks.isEmpty() && !pem.isBlank() ? List.of(pem) : blocks; // not PEM: smallrye-jwt says why
    }

    private static JWTParser parser(String publicKey, String issuer) {
        JWTAuthContextInfo info = new JWTAuthContextInfo();
        info.setPublicKeyContent(publicKey);
        info.setIssuedBy(issuer);
        info.setExpectedAudience(Set.of("parley-gateway"));
        info.setSignatureAlgorithm(Set.of(SignatureAlgorithm.RS256));
        return new DefaultJWTParser(info);
    }

    /** Whether this verifier can decide at all (a key is configured). */
    public boolean enabled() {
        return !parsers.isEmpty();
    }

    /** The grant of a valid token, or null. */
    public Grant verify(String token) {
        if (parsers.isEmpty() || token == null || token.isBlank()) {
            return null;
        }
        return verified.get(token, this::parse);
    }

    private Grant parse(String token) {
        for (JWTParser parser : parsers) {
            try {
                JsonWebToken jwt = parser.parse(token);
                String tenant = jwt.getClaim("tenant");
                String session = jwt.getClaim("session");
                if (tenant == null || session == null || jwt.getSubject() == null) {
                    return null;
                }
                return new Grant(tenant, jwt.getSubject(), session, Instant.ofEpochSecond(jwt.getExpirationTime()));
            } catch (ParseException e) {
                Log.debugf("subscription token refused by one of %d keys: %s", parsers.size(), e.getMessage());
            }
        }
        return null;
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
