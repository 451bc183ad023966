package com.parley.chat.api;

import static com.parley.chat.api.Api.as;
import static com.parley.chat.api.Api.token;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import com.parley.infra.ChatInfraResource;
import com.parley.infra.EventContract;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** Admins' notices: who may post them, what is refused, and the record every gateway reads. */
@QuarkusTest
@WithTestResource(ChatInfraResource.class)
class NoticeApiTest {

    private final String tenant = "t-" + UUID.randomUUID();
    private final String path = "/api/tenants/" + tenant + "/notices";

    @Test
    void anAdminsNoticeIsPublishedOnTheTenantTopicAsTheContractSays() {
        String noticeId = as(token(tenant, "ann", "admin"))
                .body(Map.of("message", "Maintenance at 22:00 UTC", "severity", "warning")).post(path).then()
                .statusCode(202).body("message", equalTo("Maintenance at 22:00 UTC"))
                .body("severity", equalTo("warning")).body("notice_id", notNullValue()).extract().path("notice_id");
        List<EventTopic.Event> records;
        try (EventTopic topic = new EventTopic("chat.tenant-events")) {
            records = topic.read(e -> noticeId.equals(e.value().path("notice_id").asText()), 1, Duration.ofSeconds(30));
        }
        assertEquals(1, records.size(), "published once");
        EventTopic.Event record = records.getFirst();
        assertEquals(tenant, record.value().path("tenant_id").asText());
        assertEquals("chat.tenant.notice.v1", record.headers().get("ce_type"));
        assertEquals(List.of(), EventContract.load(Path.of(".")).violations(record.value().toString(),
                record.headers()));
    }

    @Test
    void onlyAdminsPostNoticesAndBadOnesAreRefused() {
        as(token(tenant, "sam", "supporter")).body(Map.of("message", "hi")).post(path).then().statusCode(403)
                .contentType("application/problem+json");
        as(token(tenant, "alice", "user")).body(Map.of("message", "hi")).post(path).then().statusCode(403);
        String ann = token(tenant, "ann", "admin");
        as(ann).body(Map.of("message", "  ")).post(path).then().statusCode(422).body("field", equalTo("message"));
        as(ann).body(Map.of("message", "\u00a0\u200b")).post(path).then().statusCode(422).body("field", equalTo("message"));
        as(ann).body(Map.of("message", "x".repeat(1001))).post(path).then().statusCode(422);
        as(ann).body(Map.of("message", "hi", "severity", "apocalyptic")).post(path).then().statusCode(422)
                .body("field", equalTo("severity"));
        as(token("another-tenant", "ann", "admin")).body(Map.of("message", "hi")).post(path).then().statusCode(403)
                .body("type", equalTo("https://parley.chat/problems/tenant-mismatch"));
        as(ann).body(Map.of("message", "defaults to info")).post(path).then().statusCode(202)
                .body("severity", equalTo("info"));
    }
}
