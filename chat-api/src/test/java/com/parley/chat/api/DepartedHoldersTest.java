package com.parley.chat.api;

import static com.parley.chat.api.Api.as;
import static com.parley.chat.api.Api.newSession;
import static com.parley.chat.api.Api.sessionsPath;
import static com.parley.chat.api.Api.token;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import com.parley.chat.api.service.AnnouncedOperators.Operator;
import com.parley.chat.api.service.ClaimService;
import com.parley.infra.ChatInfraResource;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The chats chat-api finds held by operators who left, across tenants and in one query per 500 of
 * them: each operator's open chats in their own tenant only, never a chat that ended, never another
 * tenant's staff member of the same name.
 */
@QuarkusTest
@WithTestResource(ChatInfraResource.class)
class DepartedHoldersTest {

    @Inject
    ClaimService claims;

    private final String acme = "t-" + UUID.randomUUID();
    private final String globex = "t-" + UUID.randomUUID();

    private String claimedBy(String tenant, String user) {
        String id = newSession(tenant, "customer-" + UUID.randomUUID());
        as(token(tenant, user, "supporter")).post(sessionsPath(tenant) + "/" + id + "/claim").then().statusCode(200);
        return id;
    }

    @Test
    void theOpenChatsOfEachDepartedOperatorInTheirOwnTenant() {
        String samsAtAcme = claimedBy(acme, "sam");
        String samsOtherAtAcme = claimedBy(acme, "sam");
        String samsEnded = claimedBy(acme, "sam");
        as(token(acme, "sam", "supporter")).body(Map.of("status", "resolved"))
                .patch(sessionsPath(acme) + "/" + samsEnded).then().statusCode(200);
        String bobsAtGlobex = claimedBy(globex, "bob");
        claimedBy(globex, "sam"); // another company's sam, who is still at work
        claimedBy(acme, "carol"); // still at work

        List<Operator> departed = new ArrayList<>();
        for (int i = 0; i < 1_200; i++) { // more than two queries' worth
            departed.add(new Operator(i % 2 == 0 ? acme : globex, "gone-" + i));
        }
        departed.add(new Operator(acme, "sam"));
        departed.add(new Operator(globex, "bob"));
        departed.add(new Operator(acme, "bob")); // holds nothing at acme

        Set<String> found = claims.heldBy(departed).stream()
                .map(held -> held.tenantId() + "/" + held.holder() + "/" + held.sessionId())
                .collect(Collectors.toSet());
        assertEquals(Set.of(acme + "/sam/" + samsAtAcme, acme + "/sam/" + samsOtherAtAcme,
                globex + "/bob/" + bobsAtGlobex), found);
    }
}
