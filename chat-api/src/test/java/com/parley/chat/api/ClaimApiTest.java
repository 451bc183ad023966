package com.parley.chat.api;

import static com.parley.chat.api.Api.as;
import static com.parley.chat.api.Api.newSession;
import static com.parley.chat.api.Api.sessionsPath;
import static com.parley.chat.api.Api.token;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;

import com.parley.infra.ChatInfraResource;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;

/** Who holds a session (claim, release, transfer, take over) and how far each participant has read. */
@QuarkusTest
@WithTestResource(ChatInfraResource.class)
class ClaimApiTest {

    private final String tenant = "t-" + UUID.randomUUID();

    private String session(String id) {
        return sessionsPath(tenant) + "/" + id;
    }

    private String staff(String user) {
        return token(tenant, user, "supporter");
    }

    @Test
    void twentyConcurrentClaimsHaveExactlyOneWinner() throws Exception {
        String id = newSession(tenant, "alice");
        List<Callable<Response>> claims = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            String operator = staff("op-" + i);
            claims.add(() -> as(operator).post(session(id) + "/claim"));
        }
        ExecutorService pool = Executors.newFixedThreadPool(20);
        List<Response> answers = new ArrayList<>();
        try {
            for (Future<Response> f : pool.invokeAll(claims)) {
                answers.add(f.get());
            }
        } finally {
            pool.shutdown();
        }
        List<Response> won = answers.stream().filter(r -> r.statusCode() == 200).toList();
        assertEquals(1, won.size(), "one winner");
        String winner = won.getFirst().jsonPath().getString("claimed_by");
        for (Response lost : answers.stream().filter(r -> r.statusCode() != 200).toList()) {
            assertEquals(409, lost.statusCode(), lost.asString());
            assertEquals("application/problem+json", lost.contentType());
            assertEquals("https://parley.chat/problems/session-claimed", lost.jsonPath().getString("type"));
            assertEquals(winner, lost.jsonPath().getString("claimed_by"));
        }
        as(staff("sam")).get(session(id)).then().statusCode(200).body("claimed_by", equalTo(winner));
        JsonPath history = as(staff("sam")).get(session(id) + "/events").jsonPath();
        assertEquals(List.of("SessionCreated", "SessionClaimed"), history.getList("events.type"),
                "one claim, one event");
        assertEquals(2, history.getLong("events[1].seq"));
        assertEquals(winner, history.getString("events[1].claimed_by"));
    }

    @Test
    void aClaimMovesByTransferTakeOverAndReleaseEachAnEventWithItsSeq() {
        String id = newSession(tenant, "alice");
        as(token(tenant, "alice", "user")).post(session(id) + "/claim").then().statusCode(403);
        as(staff("sam")).post(session(id) + "/claim").then().statusCode(200).body("claimed_by", equalTo("sam"));
        as(staff("sam")).post(session(id) + "/claim").then().statusCode(200); // again: nothing changes
        as(staff("bob")).body(Map.of("to_user_id", "bob")).post(session(id) + "/transfer").then().statusCode(409);
        as(staff("sam")).body(Map.of("to_user_id", "bob")).post(session(id) + "/transfer").then().statusCode(200)
                .body("claimed_by", equalTo("bob"));
        as(staff("sam")).body(Map.of("to_user_id", " ")).post(session(id) + "/transfer").then().statusCode(422)
                .body("field", equalTo("to_user_id"));
        // the session's own customer is never its holder: nobody could release it then
        as(staff("bob")).body(Map.of("to_user_id", "alice")).post(session(id) + "/transfer").then().statusCode(422)
                .body("field", equalTo("to_user_id")).body("detail", containsString("customer"));
        String ann = token(tenant, "ann", "admin");
        as(ann).post(session(id) + "/claim").then().statusCode(409).body("claimed_by", equalTo("bob"));
        as(staff("sam")).queryParam("take_over", true).post(session(id) + "/claim").then().statusCode(409);
        as(ann).queryParam("take_over", true).post(session(id) + "/claim").then().statusCode(200)
                .body("claimed_by", equalTo("ann"));
        as(staff("bob")).delete(session(id) + "/claim").then().statusCode(409);
        as(ann).delete(session(id) + "/claim").then().statusCode(200).body("claimed_by", nullValue());
        as(ann).delete(session(id) + "/claim").then().statusCode(200); // again: nothing changes

        JsonPath history = as(staff("sam")).get(session(id) + "/events").jsonPath();
        assertEquals(List.of("SessionCreated", "SessionClaimed", "SessionClaimed", "SessionClaimed",
                "SessionReleased"), history.getList("events.type"));
        assertEquals(List.of(1, 2, 3, 4, 5), history.getList("events.seq"));
        assertEquals(List.of("sam", "bob", "ann"), history.getList("events.findAll { it.type == 'SessionClaimed' }"
                + ".claimed_by"));
        assertEquals(java.util.Arrays.asList(null, "sam", "bob"),
                history.getList("events.findAll { it.type == 'SessionClaimed' }.previous"));
        assertEquals("ann", history.getString("events[4].previous"));

        as(staff("sam")).body(Map.of("status", "resolved")).patch(session(id)).then().statusCode(200);
        as(staff("sam")).post(session(id) + "/claim").then().statusCode(409)
                .body("type", equalTo("https://parley.chat/problems/session-not-open"));
    }

    @Test
    void aClosedSessionKeepsItsHolderAsTheRecordOfWhoHandledIt() {
        String id = newSession(tenant, "alice");
        as(staff("sam")).post(session(id) + "/claim").then().statusCode(200);
        as(staff("sam")).body(Map.of("status", "closed")).patch(session(id)).then().statusCode(200)
                .body("claimed_by", equalTo("sam"));
        for (String releaser : List.of(staff("sam"), token(tenant, "ann", "admin"))) {
            as(releaser).delete(session(id) + "/claim").then().statusCode(409)
                    .body("type", equalTo("https://parley.chat/problems/session-not-open"))
                    .body("session_status", equalTo("closed"));
        }
        as(staff("sam")).body(Map.of("to_user_id", "bob")).post(session(id) + "/transfer").then().statusCode(409)
                .body("type", equalTo("https://parley.chat/problems/session-not-open"));
        as(staff("sam")).get(session(id)).then().statusCode(200).body("claimed_by", equalTo("sam"));
        assertEquals(List.of("SessionCreated", "SessionClaimed", "SessionStatusChanged"),
                as(staff("sam")).get(session(id) + "/events").jsonPath().getList("events.type"),
                "nothing happens to a closed chat");

        String unheld = newSession(tenant, "alice"); // nobody to release: nothing to refuse, as for an open one
        as(staff("sam")).body(Map.of("status", "resolved")).patch(session(unheld)).then().statusCode(200);
        as(staff("sam")).delete(session(unheld) + "/claim").then().statusCode(200).body("claimed_by", nullValue());
    }

    @Test
    void theListFiltersByClaimAndTheQueueIsOldestFirst() {
        String tenantOfList = "t-" + UUID.randomUUID();
        String older = newSession(tenantOfList, "alice");
        String newer = newSession(tenantOfList, "bob");
        String held = newSession(tenantOfList, "carol");
        String sam = token(tenantOfList, "sam", "supporter");
        as(sam).post(sessionsPath(tenantOfList) + "/" + held + "/claim").then().statusCode(200);
        assertEquals(List.of(older, newer), as(sam).queryParam("claim", "unclaimed").get(sessionsPath(tenantOfList))
                .jsonPath().getList("items.id"), "the queue: unclaimed, oldest first");
        assertEquals(List.of(held), as(sam).queryParam("claim", "mine").get(sessionsPath(tenantOfList)).jsonPath()
                .getList("items.id"));
        assertEquals(List.of(), as(token(tenantOfList, "bob", "supporter")).queryParam("claim", "mine")
                .get(sessionsPath(tenantOfList)).jsonPath().getList("items.id"));
        assertEquals(List.of(held), as(sam).queryParam("claim", "claimed").get(sessionsPath(tenantOfList))
                .jsonPath().getList("items.id"));
        as(sam).queryParam("claim", "everything").get(sessionsPath(tenantOfList)).then().statusCode(400)
                .contentType("application/problem+json");
        as(sam).get("/api/tenants/" + tenantOfList + "/operators").then().statusCode(200)
                .body("operators.size()", equalTo(1)).body("operators[0].user_id", equalTo("sam"))
                .body("operators[0].open_sessions", equalTo(1));
        as(token(tenantOfList, "alice", "user")).get("/api/tenants/" + tenantOfList + "/operators").then()
                .statusCode(403);
        as(token(tenantOfList, "ann", "admin")).get("/api/tenants/" + tenantOfList + "/stats").then().statusCode(200)
                .body("open_sessions", equalTo(3)).body("unclaimed_sessions", equalTo(2))
                .body("oldest_unclaimed_since", org.hamcrest.Matchers.notNullValue());
        as(sam).get("/api/tenants/" + tenantOfList + "/stats").then().statusCode(403);
    }

    @Test
    void aWaitingCustomerSeesWhereTheyStandInTheQueueUntilSomeoneTakesTheirChat() {
        String queue = "q-" + UUID.randomUUID();
        String[] customers = {"first", "second", "third"};
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < customers.length; i++) {
            ids.add(as(token(queue, customers[i], "user")).body(Map.of()).post(sessionsPath(queue)).then()
                    .statusCode(201).body("queue_position", equalTo(i + 1)).extract().path("id"));
        }
        String third = token(queue, "third", "user");
        String thirdPath = sessionsPath(queue) + "/" + ids.get(2);
        as(third).get(thirdPath).then().statusCode(200).body("queue_position", equalTo(3));
        String sam = token(queue, "sam", "supporter");
        as(sam).post(sessionsPath(queue) + "/" + ids.get(0) + "/claim").then().statusCode(200)
                .body("queue_position", nullValue());
        as(sam).body(Map.of("status", "closed")).patch(sessionsPath(queue) + "/" + ids.get(1)).then().statusCode(200);
        as(third).get(thirdPath).then().body("queue_position", equalTo(1)); // next
        as(token(queue, "first", "user")).get(sessionsPath(queue) + "/" + ids.get(0)).then()
                .body("queue_position", nullValue()); // sam has it
        as(sam).post(thirdPath + "/claim").then().statusCode(200);
        as(third).get(thirdPath).then().body("queue_position", nullValue());
        as(sam).get(sessionsPath(queue)).then().body("items[0].queue_position", nullValue()); // lists: never
        as(token("other-" + queue, "x", "user")).body(Map.of()).post(sessionsPath("other-" + queue)).then()
                .body("queue_position", equalTo(1)); // each tenant its own queue
    }

    @Test
    void readStateIsStoredPerParticipantNeverMovesBackAndCountsWhatOthersWrote() {
        String id = newSession(tenant, "alice");
        String alice = token(tenant, "alice", "user");
        for (int i = 0; i < 3; i++) {
            as(alice).body(Map.of("content", "hello " + i)).post(session(id) + "/messages").then().statusCode(201);
        }
        String sam = staff("sam");
        as(sam).get(session(id)).then().body("unread_count", equalTo(3));
        as(alice).get(session(id)).then().body("unread_count", equalTo(0)); // her own messages
        as(sam).body(Map.of("up_to_seq", 3)).put(session(id) + "/read").then().statusCode(200)
                .body("last_read_seq", equalTo(3)).body("unread_count", equalTo(1));
        as(sam).body(Map.of("up_to_seq", 2)).put(session(id) + "/read").then().statusCode(200)
                .body("last_read_seq", equalTo(3)); // never backwards
        as(sam).body(Map.of("up_to_seq", 99)).put(session(id) + "/read").then().statusCode(422)
                .body("field", equalTo("up_to_seq"));
        as(sam).body(Map.of("up_to_seq", -1)).put(session(id) + "/read").then().statusCode(422);
        as(token(tenant, "mallory", "user")).body(Map.of("up_to_seq", 1)).put(session(id) + "/read").then()
                .statusCode(404);
        assertEquals(List.of(1), as(sam).queryParam("claim", "unclaimed").get(sessionsPath(tenant)).jsonPath()
                .getList("items.findAll { it.id == '" + id + "' }.unread_count"), "the list carries it too");
        as(sam).body(Map.of("content", "hi alice")).post(session(id) + "/messages").then().statusCode(201);
        as(alice).get(session(id)).then().body("unread_count", equalTo(1));
        as(sam).body(Map.of("up_to_seq", 5)).put(session(id) + "/read").then().body("unread_count", equalTo(0));

        // how far each participant read, for a page that opens later ("seen" survives a reload)
        as(alice).body(Map.of("up_to_seq", 5)).put(session(id) + "/read").then().statusCode(200);
        for (String reader : List.of(alice, sam)) {
            as(reader).get(session(id) + "/reads").then().statusCode(200)
                    .body("reads.find { it.user_id == 'sam' }.role", equalTo("supporter"))
                    .body("reads.find { it.user_id == 'sam' }.last_read_seq", equalTo(5))
                    .body("reads.find { it.user_id == 'alice' }.role", equalTo("user"))
                    .body("reads.find { it.user_id == 'alice' }.read_at", org.hamcrest.Matchers.notNullValue());
        }
        as(token(tenant, "mallory", "user")).get(session(id) + "/reads").then().statusCode(404);
        as(token("t-" + java.util.UUID.randomUUID(), "sam", "supporter")).get(session(id) + "/reads").then()
                .statusCode(403);
    }
}
