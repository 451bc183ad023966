package com.parley.chat.api;

import static com.parley.chat.api.Api.as;
import static com.parley.chat.api.Api.newSession;
import static com.parley.chat.api.Api.sessionsPath;
import static com.parley.chat.api.Api.token;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import com.parley.infra.ChatInfraResource;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
@WithTestResource(ChatInfraResource.class)
class SessionApiTest {

    @Test
    void staffSeeTheNameTheCustomerStartedTheChatWithNotAnOpaqueUserId() {
        String tenant = "t-" + UUID.randomUUID();
        String customer = "f81d4fae-7dec-11d0-a765-00a0c91e6bf6"; // a Keycloak user id
        String named = com.parley.infra.ChatInfra.get().tokens().issueNamed(tenant, customer, "user", "  Alice Doe ");
        String id = as(named).body(Map.of()).post(sessionsPath(tenant)).then().statusCode(201)
                .body("customer_name", equalTo("Alice Doe")).extract().path("id");
        String sam = com.parley.infra.ChatInfra.get().tokens().issueNamed(tenant, "sam", "supporter", "Sam Smith");
        as(sam).get(sessionsPath(tenant) + "/" + id).then().statusCode(200)
                .body("customer_user_id", equalTo(customer)).body("customer_name", equalTo("Alice Doe"));
        as(sam).get(sessionsPath(tenant)).then().statusCode(200).body("items[0].customer_name", equalTo("Alice Doe"));
        // in history and on the topic: the SessionCreated that dashboards and consumers read
        as(sam).get(sessionsPath(tenant) + "/" + id + "/events").then().statusCode(200)
                .body("events[0].type", equalTo("SessionCreated")).body("events[0].customer_name", equalTo("Alice Doe"));

        // staff starting a chat on a customer's behalf do not give it their own name
        as(sam).body(Map.of("customer_user_id", "bob")).post(sessionsPath(tenant)).then().statusCode(201)
                .body("customer_user_id", equalTo("bob")).body("customer_name", nullValue());
        // no name, or none fit to show (a second line, more than 100 characters, not a string): none
        as(token(tenant, "carol", "user")).body(Map.of()).post(sessionsPath(tenant)).then().statusCode(201)
                .body("customer_name", nullValue());
        for (String unfit : List.of("Alice\nDoe", "A".repeat(101), "   ")) {
            as(com.parley.infra.ChatInfra.get().tokens().issueNamed(tenant, "dave", "user", unfit)).body(Map.of())
                    .post(sessionsPath(tenant)).then().statusCode(201).body("customer_name", nullValue());
        }
        as(com.parley.infra.ChatInfra.get().tokens().issueNamed(tenant, "erin", "user", "A".repeat(100))).body(Map.of())
                .post(sessionsPath(tenant)).then().statusCode(201).body("customer_name", equalTo("A".repeat(100)));
    }

    @Test
    void customerStartsASessionAndSeesItWithoutLegacyColumns() {
        String tenant = "t-" + UUID.randomUUID();
        String body = as(token(tenant, "alice", "user")).body(Map.of("metadata", Map.of("page", "/pricing")))
                .post(sessionsPath(tenant))
                .then().statusCode(201)
                .header("Location", containsString(sessionsPath(tenant) + "/"))
                .body("tenant_id", equalTo(tenant))
                .body("customer_user_id", equalTo("alice"))
                .body("status", equalTo("open"))
                .body("last_seq", equalTo(1))
                .body("metadata.page", equalTo("/pricing"))
                .extract().asString();
        for (String legacy : List.of("assigned_user_id", "escalation", "escalation_status", "escalation_reason")) {
            org.junit.jupiter.api.Assertions.assertFalse(body.contains(legacy), "response exposes " + legacy);
        }
        String id = io.restassured.path.json.JsonPath.from(body).getString("id");
        as(token(tenant, "alice", "user")).get(sessionsPath(tenant) + "/" + id)
                .then().statusCode(200).body("id", equalTo(id)).body("escalation_status", nullValue());
    }

    @Test
    void aCustomerCannotSeeAnotherCustomersSessionButStaffCan() {
        String tenant = "t-" + UUID.randomUUID();
        String id = newSession(tenant, "alice");
        as(token(tenant, "bob", "user")).get(sessionsPath(tenant) + "/" + id)
                .then().statusCode(404).contentType("application/problem+json")
                .body("type", equalTo("https://parley.chat/problems/session-not-found"));
        as(token(tenant, "sam", "supporter")).get(sessionsPath(tenant) + "/" + id)
                .then().statusCode(200).body("customer_user_id", equalTo("alice"));
    }

    @Test
    void anotherTenantsSessionIsNotFoundAndAForeignPathTenantIsForbidden() {
        String tenant = "t-" + UUID.randomUUID();
        String other = "t-" + UUID.randomUUID();
        String id = newSession(tenant, "alice");
        // staff of another tenant, in their own tenant's path: the session does not exist for them
        as(token(other, "sam", "admin")).get(sessionsPath(other) + "/" + id)
                .then().statusCode(404).body("type", equalTo("https://parley.chat/problems/session-not-found"));
        // a token of one tenant on another tenant's path
        as(token(other, "sam", "admin")).get(sessionsPath(tenant) + "/" + id)
                .then().statusCode(403).body("type", equalTo("https://parley.chat/problems/tenant-mismatch"));
        as(token(other, "sam", "admin")).body(Map.of("content", "hi")).post(sessionsPath(tenant) + "/" + id + "/messages")
                .then().statusCode(403);
    }

    @Test
    void staffListSessionsByStatusPagedAndCustomersListOnlyTheirOwn() {
        String tenant = "t-" + UUID.randomUUID();
        String staff = token(tenant, "sam", "supporter");
        String a1 = newSession(tenant, "alice");
        String a2 = newSession(tenant, "alice");
        String b1 = newSession(tenant, "bob");
        as(staff).body(Map.of("status", "resolved")).patch(sessionsPath(tenant) + "/" + a1).then().statusCode(200);

        as(staff).get(sessionsPath(tenant)).then().statusCode(200).body("items", hasSize(3))
                .body("has_more", is(false));
        as(staff).queryParam("status", "open").get(sessionsPath(tenant)).then().statusCode(200)
                .body("items.id", hasSize(2)).body("items.id", not(hasItem(a1))).body("items.status", everyItem(equalTo("open")));
        as(staff).queryParam("status", "resolved").get(sessionsPath(tenant)).then()
                .body("items.id", equalTo(List.of(a1)));
        as(staff).queryParam("size", 2).get(sessionsPath(tenant)).then()
                .body("items", hasSize(2)).body("has_more", is(true)).body("size", equalTo(2));
        as(staff).queryParam("size", 2).queryParam("page", 1).get(sessionsPath(tenant)).then()
                .body("items", hasSize(1)).body("has_more", is(false));
        as(token(tenant, "bob", "user")).get(sessionsPath(tenant)).then()
                .body("items.id", equalTo(List.of(b1)));
        as(token(tenant, "alice", "user")).get(sessionsPath(tenant)).then()
                .body("items.id", hasSize(2)).body("items.id", hasItem(a2));
        // staff look up one customer's chats (before an erasure, or when the customer calls)
        as(staff).queryParam("customer_user_id", "alice").get(sessionsPath(tenant)).then().statusCode(200)
                .body("items.id", containsInAnyOrder(a1, a2));
        as(staff).queryParam("customer_user_id", "alice").queryParam("status", "open").get(sessionsPath(tenant)).then()
                .body("items.id", equalTo(List.of(a2)));
        // a customer asking for someone else's sees nothing of theirs
        as(token(tenant, "bob", "user")).queryParam("customer_user_id", "alice").get(sessionsPath(tenant)).then()
                .statusCode(200).body("items", hasSize(0));
        as(token(tenant, "bob", "user")).queryParam("customer_user_id", "bob").get(sessionsPath(tenant)).then()
                .body("items.id", equalTo(List.of(b1)));
        as(staff).queryParam("status", "archived").get(sessionsPath(tenant)).then().statusCode(400)
                .contentType("application/problem+json");
        as(staff).queryParam("size", 1000).get(sessionsPath(tenant)).then().statusCode(400);
        as(token("t-" + UUID.randomUUID(), "x", "admin")).get(sessionsPath("t-" + UUID.randomUUID()))
                .then().statusCode(403);
    }

    @Test
    void pagingOnWithNextCursorShowsEachSessionOnceWhileNewOnesArrive() {
        String tenant = "t-" + UUID.randomUUID();
        String staff = token(tenant, "sam", "supporter");
        List<String> started = new java.util.ArrayList<>();
        for (int i = 0; i < 5; i++) {
            started.add(newSession(tenant, "c" + i));
        }
        var first = as(staff).queryParam("size", 2).get(sessionsPath(tenant)).then().statusCode(200)
                .body("items.id", equalTo(List.of(started.get(4), started.get(3)))).body("has_more", is(true))
                .extract().jsonPath();
        // a chat starts while staff page on: with a page number, the next page would show s3 again
        newSession(tenant, "newcomer");
        var second = as(staff).queryParam("size", 2).queryParam("cursor", first.getString("next_cursor"))
                .get(sessionsPath(tenant)).then().statusCode(200)
                .body("items.id", equalTo(List.of(started.get(2), started.get(1)))).body("has_more", is(true))
                .body("page", nullValue()).extract().jsonPath();
        as(staff).queryParam("size", 2).queryParam("cursor", second.getString("next_cursor"))
                .get(sessionsPath(tenant)).then().statusCode(200)
                .body("items.id", equalTo(List.of(started.get(0)))).body("has_more", is(false))
                .body("next_cursor", nullValue());

        // the queue pages oldest first, alike
        String queueCursor = as(staff).queryParam("claim", "unclaimed").queryParam("size", 2).get(sessionsPath(tenant))
                .then().body("items.id", equalTo(List.of(started.get(0), started.get(1)))).extract().path("next_cursor");
        as(staff).queryParam("claim", "unclaimed").queryParam("size", 2).queryParam("cursor", queueCursor)
                .get(sessionsPath(tenant)).then().statusCode(200)
                .body("items.id", equalTo(List.of(started.get(2), started.get(3))));

        // a cursor is the list's own: another order's, a made-up one, or with a page number is refused
        as(staff).queryParam("cursor", queueCursor).get(sessionsPath(tenant)).then().statusCode(400)
                .contentType("application/problem+json").body("detail", containsString("cursor"));
        as(staff).queryParam("cursor", "not-a-cursor").get(sessionsPath(tenant)).then().statusCode(400)
                .body("detail", containsString("cursor"));
        // an empty one is none: the first page (a client that sends cursor=${next ?? ''})
        as(staff).get(sessionsPath(tenant) + "?cursor=&size=2").then().statusCode(200)
                .body("page", equalTo(0)).body("next_cursor", notNullValue());
        as(staff).queryParam("cursor", first.getString("next_cursor")).queryParam("page", 1).get(sessionsPath(tenant))
                .then().statusCode(400).body("detail", containsString("cursor"));
    }

    @Test
    void staffCloseOrResolveAnOpenSessionOnly() {
        String tenant = "t-" + UUID.randomUUID();
        String staff = token(tenant, "sam", "supporter");
        String id = newSession(tenant, "alice");
        String path = sessionsPath(tenant) + "/" + id;

        as(token(tenant, "alice", "user")).body(Map.of("status", "closed")).patch(path)
                .then().statusCode(403).body("type", equalTo("https://parley.chat/problems/forbidden"));
        as(staff).body(Map.of("status", "open")).patch(path).then().statusCode(422)
                .body("type", equalTo("https://parley.chat/problems/validation-failed"));
        as(staff).body(Map.of("status", "archived")).patch(path).then().statusCode(422);
        as(staff).body(Map.of()).patch(path).then().statusCode(422).body("field", equalTo("status"));

        as(staff).body(Map.of("status", "closed")).patch(path).then().statusCode(200)
                .body("status", equalTo("closed")).body("last_seq", equalTo(2));
        // repeating the same change is harmless and adds no event
        as(staff).body(Map.of("status", "closed")).patch(path).then().statusCode(200).body("last_seq", equalTo(2));
        as(staff).body(Map.of("status", "resolved")).patch(path).then().statusCode(409)
                .body("type", equalTo("https://parley.chat/problems/session-not-open"))
                .body("session_status", equalTo("closed"));
        as(token(tenant, "alice", "user")).body(Map.of("content", "still there?")).post(path + "/messages")
                .then().statusCode(409);
        as(staff).body(Map.of("status", "closed")).patch(sessionsPath(tenant) + "/" + UUID.randomUUID())
                .then().statusCode(404);
    }

    @Test
    void staffMayOpenASessionForANamedCustomerButACustomerOnlyForThemselves() {
        String tenant = "t-" + UUID.randomUUID();
        as(token(tenant, "sam", "supporter")).body(Map.of("customer_user_id", "carol")).post(sessionsPath(tenant))
                .then().statusCode(201).body("customer_user_id", equalTo("carol"));
        as(token(tenant, "alice", "user")).body(Map.of("customer_user_id", "carol")).post(sessionsPath(tenant))
                .then().statusCode(201).body("customer_user_id", equalTo("alice"));
        as(token(tenant, "alice", "user")).post(sessionsPath(tenant)).then().statusCode(201)
                .body("id", notNullValue());
    }

    @Test
    void unknownOrMalformedSessionIdsAreNotFound() {
        String tenant = "t-" + UUID.randomUUID();
        as(token(tenant, "sam", "admin")).get(sessionsPath(tenant) + "/" + UUID.randomUUID())
                .then().statusCode(404).contentType("application/problem+json");
        as(token(tenant, "sam", "admin")).get(sessionsPath(tenant) + "/not-a-uuid")
                .then().statusCode(404).contentType("application/problem+json")
                .body("status", equalTo(404)).body("instance", equalTo(sessionsPath(tenant) + "/not-a-uuid"));
        as(token(tenant, "sam", "admin")).get(sessionsPath(tenant) + "/" + UUID.randomUUID() + "/events")
                .then().statusCode(404).body("events", nullValue());
        as(token(tenant, "sam", "admin")).queryParam("status", "closed").get(sessionsPath(tenant))
                .then().statusCode(200).body("items", empty());
    }
}
