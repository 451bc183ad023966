package com.parley.chat.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import com.parley.infra.ChatInfraResource;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/** A relay thread that dies takes chat-api's liveness down, so it is restarted instead of silently not publishing. */
@QuarkusTest
@TestProfile(RelayDeathTest.OwnInstance.class) // the relay stays dead: no other test shares this instance
@WithTestResource(ChatInfraResource.class)
class RelayDeathTest {

    /** A profile of its own, so that Quarkus starts a separate chat-api for this test. */
    public static class OwnInstance implements QuarkusTestProfile {
    }

    @Test
    void aDeadRelayThreadFailsLiveness() throws InterruptedException {
        given().get("/q/health/live").then().statusCode(200);
        Thread relay = Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals("outbox-relay"))
                .findFirst().orElseThrow();
        relay.interrupt();
        relay.join(Duration.ofSeconds(10));
        given().get("/q/health/live").then().statusCode(503)
                .body("checks.find { it.name == 'outbox-relay-thread' }.status", equalTo("DOWN"))
                .body("checks.name", hasItem("outbox-relay-thread"));
    }
}
