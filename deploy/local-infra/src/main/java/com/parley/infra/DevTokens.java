package com.parley.infra;

import java.security.PrivateKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;

import io.smallrye.jwt.build.Jwt;

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
        Instant now = Instant.now();
        return Jwt.issuer(ISSUER)
                .audience(AUDIENCE)
                .subject(user)
                .claim("tenant", tenant)
                .groups(Set.of(role))
                .issuedAt(now.minusSeconds(1))
                .expiresAt(now.plus(ttl))
                .jws().keyId("dev")
                .sign(key);
    }

    /** A token that is valid in every way but its signature. */
    public static String signedByStranger(String tenant, String user, String role) {
        return new DevTokens(DevKeys.generate().getPrivate()).issue(tenant, user, role);
    }
}
