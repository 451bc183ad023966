package com.parley.chat.gateway.auth;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.jwt.JsonWebToken;

import com.parley.chat.gateway.config.GatewayConfig;

import io.smallrye.jwt.auth.principal.JWTParser;
import io.smallrye.jwt.auth.principal.ParseException;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

/**
 * Verifies a bearer token (signature, iss, aud, exp) with smallrye-jwt's configured keys (a PEM or
 * the identity provider's JWKS URL; RS256 or ES256), and remembers a valid one until it expires.
 */
@ApplicationScoped
public class TokenVerifier {

    private static final List<String> ROLES_STRONGEST_FIRST = List.of("admin", "supporter", "service", "user");

    /** smallrye-jwt's default {@code mp.jwt.verify.clock.skew}, in seconds. */
    public static final int DEFAULT_CLOCK_SKEW = 60;

    private final JWTParser parser;
    private final VerifiedTokens<Caller> verified;
    private final boolean keysFromUrl;
    private final int clockSkewSeconds;

    /** Keys from a PEM or another local source: verifying never waits for the network. */
    public TokenVerifier(JWTParser parser, GatewayConfig config) {
        this(parser, config, Optional.empty(), DEFAULT_CLOCK_SKEW);
    }

    /**
     * @param keyLocation smallrye-jwt's key location; an http(s) URL is the identity provider's JWKS
     * @param clockSkewSeconds how long past its {@code exp} the parser still accepts a token: the
     *        caller's connection lasts as long (else a token accepted late opened a connection that
     *        was closed with 4401 the next second)
     */
    @Inject
    public TokenVerifier(JWTParser parser, GatewayConfig config,
            @ConfigProperty(name = "mp.jwt.verify.publickey.location") Optional<String> keyLocation,
            @ConfigProperty(name = "mp.jwt.verify.clock.skew", defaultValue = "60") int clockSkewSeconds) {
        this.parser = parser;
        this.verified = new VerifiedTokens<>(config.verifiedTokenCache(), Caller::expiresAt);
        this.keysFromUrl = keyLocation.filter(l -> l.startsWith("http://") || l.startsWith("https://")).isPresent();
        this.clockSkewSeconds = clockSkewSeconds;
    }

    /**
     * {@link #verify} without making the calling thread wait for the network. A token verified
     * before, or any token when the keys are local, is answered on the spot. A new token with keys
     * from a JWKS URL may need the key set fetched (smallrye-jwt fetches it again when it is due,
     * every 10 minutes, or when a token names a key it has not seen: a blocking call): it is verified
     * on a worker, and the answer comes back on the caller's Vert.x context when it has one.
     */
    public Uni<Caller> verifyWithoutWaiting(String token) {
        if (!keysFromUrl || token == null || token.isBlank()) {
            return Uni.createFrom().item(verify(token));
        }
        Caller known = verified.known(token);
        if (known != null) {
            return Uni.createFrom().item(known);
        }
        Context context = Vertx.currentContext();
        Uni<Caller> verifying = Uni.createFrom().item(() -> verify(token))
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
        return context == null ? verifying : verifying.emitOn(task -> context.runOnContext(ignored -> task.run()));
    }

    /** The caller, or {@code null} when the token is not valid. */
    public Caller verify(String token) {
        if (token == null || token.isBlank()) {
            return null;
        }
        return verified.get(token, this::parse);
    }

    private Caller parse(String token) {
        try {
            JsonWebToken jwt = parser.parse(token);
            Set<String> groups = jwt.getGroups() == null ? Set.of() : jwt.getGroups();
            String role = strongestRole(groups);
            if (!(jwt.getClaim("tenant") instanceof String tenant) || !storable(tenant, 64)
                    || !storable(jwt.getSubject(), 255) || role == null) {
                return null;
            }
            // valid, for every check here as for the parser, until exp + the clock skew it allows
            Instant expiresAt = Instant.ofEpochSecond(jwt.getExpirationTime()).plusSeconds(clockSkewSeconds);
            return new Caller(tenant, jwt.getSubject(), role, expiresAt, token, displayName(jwt.getClaim("name")));
        } catch (ParseException e) {
            return null;
        }
    }

    /**
     * A tenant or user id chat-api takes (its {@code Caller.of}: the columns hold 64 and 255
     * characters, PostgreSQL's text no NUL nor half a surrogate pair): a token chat-api would refuse
     * opens nothing here either.
     */
    private static boolean storable(String id, int maxLength) {
        return id != null && !id.isBlank() && id.length() <= maxLength
                && id.codePoints().noneMatch(c -> c == 0 || Character.getType(c) == Character.SURROGATE);
    }

    /**
     * The OIDC {@code name} claim as others may be shown it: one line of up to 100 characters of
     * text; anything else (absent, not a string, blank, control characters) is no name.
     */
    static String displayName(Object claim) {
        if (!(claim instanceof String raw)) {
            return null;
        }
        String name = raw.strip();
        boolean text = name.codePoints().noneMatch(c -> Character.isISOControl(c)
                || Character.getType(c) == Character.SURROGATE || Character.getType(c) == Character.FORMAT);
        return !name.isEmpty() && name.length() <= 100 && text ? name : null;
    }

    /** The strongest of the caller's groups that is a role; null when none is. */
    private static String strongestRole(Set<String> groups) {
        for (String role : ROLES_STRONGEST_FIRST) {
            if (groups.contains(role)) {
                return role;
            }
        }
        return null;
    }
}
