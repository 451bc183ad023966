package com.parley.chat.api;

import static com.parley.chat.api.Api.as;
import static com.parley.chat.api.Api.newSession;
import static com.parley.chat.api.Api.sessionsPath;
import static com.parley.chat.api.Api.token;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import com.parley.infra.ChatInfraResource;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;

/** One token's flood of writes is refused with 429 and Retry-After; the tenant's others go on. */
@QuarkusTest
@WithTestResource(ChatInfraResource.class)
@TestProfile(WriteLimitsTest.LowLimits.class)
class WriteLimitsTest {

    public static class LowLimits implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("parley.chat-api.write-limits.per-user-per-second", "0.01", // no refill during a test
                    "parley.chat-api.write-limits.per-user-burst", "5",
                    "parley.chat-api.write-limits.per-tenant-per-second", "0.01",
                    "parley.chat-api.write-limits.per-tenant-burst", "12",
                    "quarkus.http.cors.origins", SHOP);
        }
    }

    /** A site that embeds the widget, whose page posts over REST when the socket falls back to SSE. */
    static final String SHOP = "https://shop.example";

    private final String tenant = "t-" + UUID.randomUUID();

    @Test
    void aUsersFloodIsRefusedWithRetryAfterAndTheTenantsOtherUsersStillWrite() {
        String session = newSession(tenant, "mallory"); // 1 write
        String mallory = token(tenant, "mallory", "user");
        List<Integer> statuses = new ArrayList<>();
        Response refused = null;
        for (int i = 0; i < 10; i++) {
            Response r = as(mallory).header("Origin", SHOP).body(Map.of("content", "spam " + i))
                    .post(sessionsPath(tenant) + "/" + session + "/messages");
            statuses.add(r.statusCode());
            if (r.statusCode() == 429 && refused == null) {
                refused = r;
            }
        }
        assertEquals(List.of(201, 201, 201, 201, 429, 429, 429, 429, 429, 429), statuses);
        refused.then().contentType("application/problem+json")
                .body("type", equalTo("https://parley.chat/problems/too-many-writes"));
        assertTrue(Integer.parseInt(refused.header("Retry-After")) >= 1, refused.headers().toString());
        // a page on the embedding site may read it (a header no CORS response exposes is hidden from fetch())
        assertEquals(SHOP, refused.header("Access-Control-Allow-Origin"));
        assertTrue(List.of(refused.header("Access-Control-Expose-Headers").split(",\\s*")).contains("Retry-After"),
                refused.headers().toString());
        as(mallory).body("{}").post(sessionsPath(tenant)).then().statusCode(429); // new sessions count too

        String sam = token(tenant, "sam", "supporter");
        as(sam).body(Map.of("content", "staff still answers")).post(sessionsPath(tenant) + "/" + session
                + "/messages").then().statusCode(201);
    }

    @Test
    void theTenantAsAWholeHasACeilingToo() {
        List<Integer> statuses = new ArrayList<>();
        for (int i = 0; i < 14; i++) {
            statuses.add(as(token(tenant, "user-" + i, "user")).body("{}").post(sessionsPath(tenant)).statusCode());
        }
        assertEquals(12, statuses.stream().filter(s -> s == 201).count(), statuses.toString());
        assertEquals(429, statuses.getLast());
    }
}
