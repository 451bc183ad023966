package com.parley.chat.api;

import static com.parley.chat.api.Api.as;
import static com.parley.chat.api.Api.sessionsPath;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
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

    /**
     * {@code nbf} is the claim that says "not yet": a token whose time has not come is refused (beyond
     * the clock skew allowed). An {@code iat} ahead of this machine's clock is not: RFC 7519 makes it
     * informational, and refusing it would lock out every user of an identity provider whose clock
     * runs a minute fast (docs/decisions.md).
     */
    @Test
    void aTokenNotValidYetIsUnauthorizedAndOneIssuedByAFastClockIsAccepted() {
        var key = DevKeys.in(ChatInfra.get().root().resolve("keys")).privateKey();
        Instant later = Instant.now().plus(Duration.ofMinutes(10));
        String notYet = Jwt.issuer(DevTokens.ISSUER).audience(DevTokens.AUDIENCE).subject("alice")
                .claim("tenant", tenant).groups(Set.of("user")).claim("nbf", later.getEpochSecond())
                .expiresAt(later.plus(Duration.ofHours(1))).sign(key);
        as(notYet).get(sessionsPath(tenant)).then().statusCode(401)
                .body("type", equalTo("https://parley.chat/problems/unauthorized"));
        String fastClock = Jwt.issuer(DevTokens.ISSUER).audience(DevTokens.AUDIENCE).subject("alice")
                .claim("tenant", tenant).groups(Set.of("user")).issuedAt(later)
                .expiresAt(later.plus(Duration.ofHours(1))).sign(key);
        as(fastClock).get(sessionsPath(tenant)).then().statusCode(200);
    }

    @Test
    void aTokenIsVerifiedOnceForAllItsRequests() {
        String token = Api.token(tenant, "alice", "user");
        double hitsBefore = verifiedTokens("hit");
        double missesBefore = verifiedTokens("miss");
        for (int i = 0; i < 5; i++) {
            as(token).get(sessionsPath(tenant)).then().statusCode(200);
        }
        assertEquals(1.0, verifiedTokens("miss") - missesBefore, "verified on its first request only");
        assertEquals(4.0, verifiedTokens("hit") - hitsBefore, "then answered from the verified tokens");
        // a different token of the same user is verified on its own
        as(DevTokens.signedByStranger(tenant, "alice", "user")).get(sessionsPath(tenant)).then().statusCode(401);
        assertEquals(2.0, verifiedTokens("miss") - missesBefore);
    }

    /** cache_gets_total of the verified tokens, by result (hit or miss). */
    private static double verifiedTokens(String result) {
        String prefix = "cache_gets_total{cache=\"verified-tokens\",result=\"" + result + "\"";
        return given().get("/q/metrics").then().statusCode(200).extract().asString().lines()
                .filter(line -> line.startsWith(prefix)).mapToDouble(line -> Double.parseDouble(
                        line.substring(line.indexOf("} ") + 2).split(" ")[0]))
                .findFirst().orElse(0.0);
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

    @Test
    void aTenantClaimThatIsNotOneStringIsUnauthorizedNotAServerError() {
        // an identity provider's mapper set to "multivalued" writes ["acme"]: chat-api answered 500
        var key = DevKeys.in(ChatInfra.get().root().resolve("keys")).privateKey();
        String listed = Jwt.issuer(DevTokens.ISSUER).audience(DevTokens.AUDIENCE).subject("alice")
                .claim("tenant", List.of(tenant)).groups(Set.of("user")).sign(key);
        as(listed).get(sessionsPath(tenant)).then().statusCode(401).contentType("application/problem+json")
                .body("type", equalTo("https://parley.chat/problems/unauthorized"))
                .body("detail", containsString("tenant"));
        String numbered = Jwt.issuer(DevTokens.ISSUER).audience(DevTokens.AUDIENCE).subject("alice")
                .claim("tenant", 42).groups(Set.of("user")).sign(key);
        as(numbered).get(sessionsPath(tenant)).then().statusCode(401);
    }
}
