package com.parley.infra;

import java.security.PrivateKey;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;

import io.smallrye.jwt.build.Jwt;
import io.smallrye.jwt.build.JwtClaimsBuilder;

/** Issues RS256 tokens shaped like the identity provider's: sub, tenant, groups, iss, aud, exp. */
public final class DevTokens {

    public static final String ISSUER = "https://id.parley.local";
    public static final String AUDIENCE = "parley";

    private final PrivateKey key;

    public DevTokens(PrivateKey key) {
        this.key = key;
    }

    public String issue(String tenant, String user, String role) {
        return issue(tenant, user, role, Duration.ofHours(8));
    }

    public String issue(String tenant, String user, String role, Duration ttl) {
        return issue(tenant, user, role, ttl, List.of());
    }

    /**
     * A token with {@code roles} in a {@code realm_roles} claim as well, as identity providers put
     * every role and group of a user in it: with many of them a token takes several kilobytes.
     */
    public String issue(String tenant, String user, String role, Duration ttl, List<String> roles) {
        JwtClaimsBuilder claims = claims(tenant, user, role, ttl);
        if (!roles.isEmpty()) {
            claims.claim("realm_roles", roles);
        }
        return claims.jws().keyId("dev").sign(key);
    }

    /** A token that also carries the OIDC {@code name} claim (what people are called on the pages). */
    public String issueNamed(String tenant, String user, String role, String name) {
        return issueNamed(tenant, user, role, name, Duration.ofHours(8));
    }

    public String issueNamed(String tenant, String user, String role, String name, Duration ttl) {
        return claims(tenant, user, role, ttl).claim("name", name).jws().keyId("dev").sign(key);
    }

    private static JwtClaimsBuilder claims(String tenant, String user, String role, Duration ttl) {
        Instant now = Instant.now();
        return Jwt.issuer(ISSUER)
                .audience(AUDIENCE)
                .subject(user)
                .claim("tenant", tenant)
                .groups(Set.of(role))
                .issuedAt(now.minusSeconds(1))
                .expiresAt(now.plus(ttl));
    }

    /** A token that is valid in every way but its signature. */
    public static String signedByStranger(String tenant, String user, String role) {
        return new DevTokens(DevKeys.generate().getPrivate()).issue(tenant, user, role);
    }
}
