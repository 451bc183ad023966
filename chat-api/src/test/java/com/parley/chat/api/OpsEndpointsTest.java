package com.parley.chat.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.notNullValue;

import org.junit.jupiter.api.Test;

import com.parley.infra.ChatInfraResource;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
@WithTestResource(ChatInfraResource.class)
class OpsEndpointsTest {

    @Test
    void openApiDescribesTheSessionsApi() {
        given().queryParam("format", "json").get("/q/openapi").then().statusCode(200)
                .body("paths.'/api/tenants/{tenantId}/sessions/{sessionId}/messages'.post", notNullValue())
                .body("paths.'/api/tenants/{tenantId}/sessions/{sessionId}/events'.get", notNullValue())
                .body("paths.'/api/tenants/{tenantId}/sessions/{sessionId}'.patch", notNullValue());
    }

    @Test
    void readinessReportsTheDatabaseAndHealthReportsKafka() {
        given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"))
                .body("checks.name", hasItem(containsString("Database")));
        given().get("/q/health/well").then().statusCode(200)
                .body("checks.name", hasItem("kafka-outbox-relay"));
    }

    @Test
    void metricsExposeOutboxBacklogAndPublishLatency() {
        given().get("/q/metrics").then().statusCode(200)
                .body(containsString("parley_outbox_backlog"))
                .body(containsString("parley_outbox_publish_latency_seconds"));
    }
}
