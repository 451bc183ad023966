package com.parley.chat.api;

import static com.parley.chat.api.Api.as;
import static com.parley.chat.api.Api.sessionsPath;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import com.parley.infra.ChatInfra;
import com.parley.infra.ChatInfraResource;
import com.parley.infra.DevKeys;
import com.parley.infra.DevTokens;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.jwt.build.Jwt;

@QuarkusTest
@WithTestResource(ChatInfraResource.class)
class AuthTest {

    private final String tenant = "t-" + UUID.randomUUID();

    @Test
    void noTokenIsUnauthorizedWithAProblemAndAChallenge() {
        given().get(sessionsPath(tenant)).then().statusCode(401)
                .contentType("application/problem+json")
                .header("WWW-Authenticate", "Bearer")
                .body("type", equalTo("https://parley.chat/problems/unauthorized"));
    }

    @Test
    void expiredWronglySignedOrForeignTokensAreUnauthorized() {
        var key = DevKeys.in(ChatInfra.get().root().resolve("keys")).privateKey();
        Instant past = Instant.now().minus(Duration.ofHours(2));
        String expired = Jwt.issuer(DevTokens.ISSUER).audience(DevTokens.AUDIENCE).subject("alice")
                .claim("tenant", tenant).groups(Set.of("user")).issuedAt(past).expiresAt(past.plusSeconds(60))
                .sign(key);
        String wrongIssuer = Jwt.issuer("https://evil.example").audience(DevTokens.AUDIENCE).subject("alice")
                .claim("tenant", tenant).groups(Set.of("user")).sign(key);
        String wrongAudience = Jwt.issuer(DevTokens.ISSUER).audience("someone-else").subject("alice")
                .claim("tenant", tenant).groups(Set.of("user")).sign(key);
        String stranger = DevTokens.signedByStranger(tenant, "alice", "user");
        for (String token : new String[] {expired, wrongIssuer, wrongAudience, stranger, "not.a.jwt"}) {
            as(token).get(sessionsPath(tenant)).then().statusCode(401)
                    .contentType("application/problem+json")
                    .body("type", equalTo("https://parley.chat/problems/unauthorized"));
        }
    }

    @Test
    void aTokenWithoutAKnownGroupIsForbidden() {
        var key = DevKeys.in(ChatInfra.get().root().resolve("keys")).privateKey();
        String noRole = Jwt.issuer(DevTokens.ISSUER).audience(DevTokens.AUDIENCE).subject("alice")
                .claim("tenant", tenant).groups(Set.of("guest")).sign(key);
        as(noRole).get(sessionsPath(tenant)).then().statusCode(403)
                .contentType("application/problem+json");
        String noTenant = Jwt.issuer(DevTokens.ISSUER).audience(DevTokens.AUDIENCE).subject("alice")
                .groups(Set.of("user")).sign(key);
        as(noTenant).get(sessionsPath(tenant)).then().statusCode(401);
    }
}
