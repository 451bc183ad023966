package com.parley.chat.api;

import static com.parley.chat.api.Api.as;
import static com.parley.chat.api.Api.newSession;
import static com.parley.chat.api.Api.sessionsPath;
import static com.parley.chat.api.Api.token;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import com.parley.infra.ChatInfraResource;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/** A customer rates their chat once it ended: good or bad, an event for analytics, on the session for staff. */
@QuarkusTest
@WithTestResource(ChatInfraResource.class)
class RatingApiTest {

    @jakarta.inject.Inject
    javax.sql.DataSource dataSource;

    private final String tenant = "t-" + UUID.randomUUID();

    @Test
    void theCustomerRatesAChatThatEndedChangesTheirMindAndStaffSeeIt() {
        String id = newSession(tenant, "alice");
        String path = sessionsPath(tenant) + "/" + id;
        String alice = token(tenant, "alice", "user");
        String sam = token(tenant, "sam", "supporter");

        double goodBefore = ratings("good");
        double badBefore = ratings("bad");
        as(alice).body(Map.of("rating", "good")).put(path + "/rating").then().statusCode(409)
                .body("type", equalTo("https://parley.chat/problems/session-still-open"));
        as(sam).body(Map.of("status", "resolved")).patch(path).then().statusCode(200);
        as(alice).body(Map.of("rating", "good")).put(path + "/rating").then().statusCode(200)
                .body("rating", equalTo("good")).body("rated_at", notNullValue());
        as(alice).body(Map.of("rating", "good")).put(path + "/rating").then().statusCode(200); // again: no event
        as(alice).body(Map.of("rating", "bad")).put(path + "/rating").then().statusCode(200)
                .body("rating", equalTo("bad"));

        as(sam).get(path).then().statusCode(200).body("rating", equalTo("bad"));
        assertEquals(goodBefore + 1, ratings("good"), "parley_session_ratings_total{rating=\"good\"}");
        assertEquals(badBefore + 1, ratings("bad"));
        JsonPath history = as(sam).get(path + "/events").jsonPath();
        assertEquals(List.of("SessionCreated", "SessionStatusChanged", "SessionRated", "SessionRated"),
                history.getList("events.type"), "one event per change of mind, none for the same rating again");
        assertEquals(List.of("good", "bad"), history.getList("events.findAll { it.type == 'SessionRated' }.rating"));
        assertEquals(List.of("alice", "alice"), history.getList("events.findAll { it.type == 'SessionRated' }.by"));
        assertEquals(4, history.getLong("events[3].seq"));
    }

    @Test
    void anAdminsFiguresCountTheRatingsOfTheLastDay() throws Exception {
        String sam = token(tenant, "sam", "supporter");
        String[] customers = {"c1", "c2", "c3", "c4"};
        String[] ratings = {"good", "good", "bad", "good"};
        List<String> ids = new java.util.ArrayList<>();
        for (int i = 0; i < customers.length; i++) {
            String id = newSession(tenant, customers[i]);
            ids.add(id);
            as(sam).body(Map.of("status", "closed")).patch(sessionsPath(tenant) + "/" + id).then().statusCode(200);
            as(token(tenant, customers[i], "user")).body(Map.of("rating", ratings[i]))
                    .put(sessionsPath(tenant) + "/" + id + "/rating").then().statusCode(200);
        }
        newSession(tenant, "c5"); // open, not rated
        // the fourth was rated two days ago: not today's figure
        try (java.sql.Connection connection = dataSource.getConnection();
                java.sql.PreparedStatement older = connection.prepareStatement(
                        "update sessions set rated_at = now() - interval '2 days' where id = ?")) {
            older.setObject(1, UUID.fromString(ids.get(3)));
            assertEquals(1, older.executeUpdate());
        }
        as(token(tenant, "ann", "admin")).get("/api/tenants/" + tenant + "/stats").then().statusCode(200)
                .body("rated_good_last_day", equalTo(2)).body("rated_bad_last_day", equalTo(1))
                .body("open_sessions", equalTo(1));
    }

    /** The counter of ratings on the Prometheus page (0 before the first). */
    private static double ratings(String rating) {
        String line = "parley_session_ratings_total{rating=\"" + rating + "\"}";
        return io.restassured.RestAssured.given().get("/q/metrics").then().statusCode(200).extract().asString()
                .lines().filter(l -> l.startsWith(line)).mapToDouble(l -> Double.parseDouble(l.substring(line.length())
                        .trim().split(" ")[0])).findFirst().orElse(0);
    }

    @Test
    void onlyTheSessionsCustomerRatesItWithGoodOrBad() {
        String id = newSession(tenant, "bob");
        String path = sessionsPath(tenant) + "/" + id;
        String bob = token(tenant, "bob", "user");
        as(token(tenant, "sam", "supporter")).body(Map.of("status", "closed")).patch(path).then().statusCode(200);

        as(token(tenant, "sam", "supporter")).body(Map.of("rating", "good")).put(path + "/rating").then()
                .statusCode(403);
        as(token(tenant, "bot", "service")).body(Map.of("rating", "good")).put(path + "/rating").then()
                .statusCode(403);
        as(token(tenant, "carol", "user")).body(Map.of("rating", "bad")).put(path + "/rating").then()
                .statusCode(404); // another customer's chat looks like none
        as(token("other-" + tenant, "bob", "user")).body(Map.of("rating", "bad"))
                .put(sessionsPath("other-" + tenant) + "/" + id + "/rating").then().statusCode(404);
        for (Object wrong : List.of("meh", "GOOD", "")) {
            as(bob).body(Map.of("rating", wrong)).put(path + "/rating").then().statusCode(422)
                    .body("field", equalTo("rating"));
        }
        as(bob).body(Map.of()).put(path + "/rating").then().statusCode(422).body("field", equalTo("rating"));
        as(bob).body(Map.of("rating", 5)).put(path + "/rating").then().statusCode(400);
        as(bob).get(path).then().statusCode(200).body("rating", nullValue());
    }
}
