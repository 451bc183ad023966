package com.parley.chat.api;

import static com.parley.chat.api.Api.as;
import static com.parley.chat.api.Api.newSession;
import static com.parley.chat.api.Api.sessionsPath;
import static com.parley.chat.api.Api.token;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.util.Set;
import java.util.UUID;

import org.eclipse.microprofile.jwt.JsonWebToken;
import org.junit.jupiter.api.Test;

import com.parley.infra.ChatInfra;
import com.parley.infra.ChatInfraResource;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.jwt.algorithm.SignatureAlgorithm;
import io.smallrye.jwt.auth.principal.DefaultJWTParser;
import io.smallrye.jwt.auth.principal.JWTAuthContextInfo;
import io.smallrye.jwt.auth.principal.ParseException;

/** The subscription token a participant gets with the session, as a gateway verifies it. */
@QuarkusTest
@WithTestResource(ChatInfraResource.class)
class SubscriptionTokenTest {

    private final String tenant = "t-" + UUID.randomUUID();

    private JsonWebToken verify(String token) throws Exception {
        JWTAuthContextInfo info = new JWTAuthContextInfo();
        info.setPublicKeyContent(Files.readString(ChatInfra.get().subscriptionKeys().publicKeyFile()));
        info.setIssuedBy("https://chat-api.parley.local");
        info.setExpectedAudience(Set.of("parley-gateway"));
        info.setSignatureAlgorithm(Set.of(SignatureAlgorithm.RS256));
        return new DefaultJWTParser(info).parse(token);
    }

    @Test
    void theCreatorAndEveryoneWhoGetsTheSessionReceiveATokenForThemAndThatSessionOnly() throws Exception {
        String created = as(token(tenant, "alice", "user")).body("{}").post(sessionsPath(tenant)).then()
                .statusCode(201).extract().path("subscription_token");
        String session = newSession(tenant, "alice");
        String alices = as(token(tenant, "alice", "user")).get(sessionsPath(tenant) + "/" + session).then()
                .statusCode(200).extract().path("subscription_token");
        JsonWebToken claims = verify(alices);
        assertEquals("alice", claims.getSubject());
        assertEquals(tenant, claims.getClaim("tenant"));
        assertEquals(session, claims.getClaim("session"));
        assertEquals("alice", verify(created).getSubject());

        String sams = as(token(tenant, "sam", "supporter")).get(sessionsPath(tenant) + "/" + session).then()
                .statusCode(200).extract().path("subscription_token");
        assertEquals("sam", verify(sams).getSubject());
        as(token(tenant, "bob", "user")).get(sessionsPath(tenant) + "/" + session).then().statusCode(404);
        assertNull(as(token(tenant, "sam", "supporter")).get(sessionsPath(tenant)).then().statusCode(200)
                .extract().path("items[0].subscription_token"), "lists carry none (one signature per session)");
        assertThrows(ParseException.class, () -> verify(alices.substring(0, alices.length() - 4) + "AAAA"));
    }
}
