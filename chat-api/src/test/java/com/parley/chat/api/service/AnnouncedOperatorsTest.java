package com.parley.chat.api.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import com.parley.chat.api.service.AnnouncedOperators.Operator;
import com.parley.infra.ChatInfraResource;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * What a chat-api replica that starts learns of the operators heard before it: every one heard
 * within the last 30 days, however many were written at once, and a row's time never goes back.
 */
@QuarkusTest
@WithTestResource(ChatInfraResource.class)
class AnnouncedOperatorsTest {

    @Inject
    AnnouncedOperators announced;

    private final String tenant = "t-" + UUID.randomUUID();

    private Set<Operator> recentOfTenant(Instant now) {
        return announced.recent(now).stream().filter(o -> o.tenantId().equals(tenant)).collect(Collectors.toSet());
    }

    @Test
    void everyOperatorHeardInTheLastThirtyDaysIsRecalledEvenAThousandAtOnce() {
        Instant now = Instant.now();
        Map<Operator, Instant> heard = new LinkedHashMap<>();
        for (int i = 0; i < 1_201; i++) { // more than one statement's worth
            heard.put(new Operator(tenant, "op-" + i), now.minusSeconds(i));
        }
        announced.heard(heard);
        assertEquals(heard.keySet(), recentOfTenant(now));
    }

    @Test
    void anOperatorNotHeardForThirtyDaysIsNotWaitedForAndARowNeverGoesBack() {
        Instant now = Instant.now();
        Operator gone = new Operator(tenant, "left-the-company");
        Operator back = new Operator(tenant, "back-from-leave");
        announced.heard(Map.of(gone, now.minus(Duration.ofDays(31)), back, now.minus(Duration.ofDays(40))));
        assertTrue(recentOfTenant(now).isEmpty(), "heard more than 30 days ago");

        announced.heard(Map.of(back, now)); // heard again
        announced.heard(Map.of(back, now.minus(Duration.ofDays(40)))); // a replica that read an old announcement
        assertEquals(Set.of(back), recentOfTenant(now));
        assertFalse(recentOfTenant(now.plus(Duration.ofDays(29))).isEmpty(), "kept the newest time");
    }
}
