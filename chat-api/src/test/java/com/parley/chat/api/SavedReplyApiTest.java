package com.parley.chat.api;

import static com.parley.chat.api.Api.as;
import static com.parley.chat.api.Api.token;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import javax.sql.DataSource;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import com.parley.infra.ChatInfraResource;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** Saved replies: admins write them, staff and services read them, each tenant its own; bad input is refused. */
@QuarkusTest
@WithTestResource(ChatInfraResource.class)
class SavedReplyApiTest {

    private static final String PROBLEMS = "https://parley.chat/problems/";

    @Inject
    DataSource dataSource;

    private final String tenant = "t-" + UUID.randomUUID();
    private final String path = "/api/tenants/" + tenant + "/saved-replies";
    private final String ann = token(tenant, "ann", "admin");

    @Test
    void anAdminSavesRepliesThatTheStaffAndServicesReadByShortcut() {
        as(ann).body(Map.of("shortcut", "/Hours ", "content", "  We are open 9 to 5, Monday to Friday. "))
                .post(path).then().statusCode(201).body("shortcut", equalTo("hours"))
                .body("content", equalTo("We are open 9 to 5, Monday to Friday.")).body("updated_by", equalTo("ann"));
        as(ann).body(Map.of("shortcut", "refund-policy", "content", "Refunds within 30 days.")).post(path).then()
                .statusCode(201);
        as(ann).body(Map.of("shortcut", "greeting_2", "content", "Hello! How can I help?")).post(path).then()
                .statusCode(201);

        for (String reader : List.of(token(tenant, "sam", "supporter"), ann, token(tenant, "bot", "service"))) {
            as(reader).get(path).then().statusCode(200)
                    .body("replies.shortcut", contains("greeting_2", "hours", "refund-policy"))
                    .body("replies[1].content", equalTo("We are open 9 to 5, Monday to Friday."));
        }
        as(token(tenant, "alice", "user")).get(path).then().statusCode(403)
                .contentType("application/problem+json").body("type", equalTo(PROBLEMS + "forbidden"));
        as(token("other-" + tenant, "ann", "admin")).get(path).then().statusCode(403)
                .body("type", equalTo(PROBLEMS + "tenant-mismatch"));
        as(token("other-" + tenant, "ann", "admin")).get("/api/tenants/other-" + tenant + "/saved-replies").then()
                .statusCode(200).body("replies", empty());
    }

    @Test
    void onlyAdminsChangeThemAndNeverAnotherTenantsOnes() {
        String id = as(ann).body(Map.of("shortcut", "hours", "content", "9 to 5")).post(path).then().statusCode(201)
                .extract().path("id");
        String sam = token(tenant, "sam", "supporter");
        as(sam).body(Map.of("shortcut", "mine", "content", "x")).post(path).then().statusCode(403);
        as(sam).body(Map.of("shortcut", "hours", "content", "24/7")).put(path + "/" + id).then().statusCode(403);
        as(sam).delete(path + "/" + id).then().statusCode(403);
        as(token(tenant, "bot", "service")).delete(path + "/" + id).then().statusCode(403);

        String otherTenant = "other-" + tenant;
        String otherPath = "/api/tenants/" + otherTenant + "/saved-replies/" + id;
        String otherAdmin = token(otherTenant, "ann", "admin");
        as(otherAdmin).body(Map.of("shortcut", "hours", "content", "never")).put(otherPath).then().statusCode(404)
                .body("type", equalTo(PROBLEMS + "saved-reply-not-found"));
        as(otherAdmin).delete(otherPath).then().statusCode(404);

        as(sam).get(path).then().body("replies", hasSize(1)).body("replies[0].content", equalTo("9 to 5"));
    }

    @Test
    void aReplyIsChangedAndDeletedAndShortcutsStayUnique() {
        String hours = as(ann).body(Map.of("shortcut", "hours", "content", "9 to 5")).post(path).then()
                .statusCode(201).extract().path("id");
        String refund = as(ann).body(Map.of("shortcut", "refund", "content", "30 days")).post(path).then()
                .statusCode(201).extract().path("id");

        as(ann).body(Map.of("shortcut", "HOURS", "content", "x")).post(path).then().statusCode(409)
                .body("type", equalTo(PROBLEMS + "shortcut-taken")).body("shortcut", equalTo("hours"));
        as(ann).body(Map.of("shortcut", "hours", "content", "x")).put(path + "/" + refund).then().statusCode(409)
                .body("type", equalTo(PROBLEMS + "shortcut-taken"));
        String bob = token(tenant, "bob", "admin");
        as(bob).body(Map.of("shortcut", "hours", "content", "9 to 6 from December")).put(path + "/" + hours).then()
                .statusCode(200).body("shortcut", equalTo("hours")).body("content", equalTo("9 to 6 from December"))
                .body("updated_by", equalTo("bob"));
        as(ann).body(Map.of("shortcut", "opening-hours", "content", "9 to 6")).put(path + "/" + hours).then()
                .statusCode(200).body("shortcut", equalTo("opening-hours"));

        as(ann).delete(path + "/" + refund).then().statusCode(204);
        as(ann).delete(path + "/" + refund).then().statusCode(404).body("type", equalTo(PROBLEMS + "saved-reply-not-found"));
        as(ann).body(Map.of("shortcut", "refund", "content", "x")).put(path + "/" + refund).then().statusCode(404);
        as(ann).get(path).then().body("replies.shortcut", contains("opening-hours"));
        // the freed shortcut may be used again
        as(ann).body(Map.of("shortcut", "hours", "content", "9 to 6")).post(path).then().statusCode(201);
        as(ann).delete(path + "/not-a-reply").then().statusCode(404).contentType("application/problem+json");
    }

    @Test
    void badRepliesAreRefusedNamingTheField() {
        for (String shortcut : List.of("", "/", "two words", "-dash-first", "x".repeat(33), "semi;colon", "é\u0000")) {
            as(ann).body(Map.of("shortcut", shortcut, "content", "fine")).post(path).then().statusCode(422)
                    .body("type", equalTo(PROBLEMS + "validation-failed")).body("field", equalTo("shortcut"));
        }
        as(ann).body(Map.of("content", "no shortcut")).post(path).then().statusCode(422).body("field", equalTo("shortcut"));
        as(ann).body(Map.of("shortcut", "empty", "content", " \u200b ")).post(path).then().statusCode(422)
                .body("field", equalTo("content"));
        as(ann).body(Map.of("shortcut", "long", "content", "x".repeat(4001))).post(path).then().statusCode(422)
                .body("field", equalTo("content"));
        as(ann).body(Map.of("shortcut", "nul", "content", "a\u0000b")).post(path).then().statusCode(422)
                .body("field", equalTo("content"));
        as(ann).body("{\"shortcut\": \"broken\",").post(path).then().statusCode(400)
                .contentType("application/problem+json");
        as(ann).body(Map.of("shortcut", "x".repeat(32), "content", "x".repeat(4000))).post(path).then().statusCode(201);
        as(ann).body(Map.of("shortcut", "\u00fcbergabe", "content", "Übergabe an das Team.")).post(path).then()
                .statusCode(201);
        as(ann).get(path).then().body("replies", hasSize(2));
    }

    @Test
    void aTenantKeepsAtMostItsLimitAndConcurrentSavesOfOneShortcutStoreOne() throws Exception {
        fill(499);
        as(ann).body(Map.of("shortcut", "the-500th", "content", "fits")).post(path).then().statusCode(201);
        as(ann).body(Map.of("shortcut", "the-501st", "content", "too many")).post(path).then().statusCode(409)
                .body("type", equalTo(PROBLEMS + "saved-replies-full")).body("max_replies", equalTo(500));
        as(ann).get(path).then().body("replies", hasSize(500));

        String other = "c-" + tenant;
        String otherPath = "/api/tenants/" + other + "/saved-replies";
        List<String> admins = List.of("a1", "a2", "a3", "a4", "a5", "a6");
        List<Integer> statuses = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(admins.size())) {
            List<Future<Integer>> saves = new ArrayList<>();
            for (String admin : admins) {
                String adminToken = token(other, admin, "admin");
                saves.add(pool.submit(() -> as(adminToken).body(Map.of("shortcut", "hours", "content", admin))
                        .post(otherPath).then().extract().statusCode()));
            }
            for (Future<Integer> save : saves) {
                statuses.add(save.get());
            }
        }
        assertEquals(1, statuses.stream().filter(s -> s == 201).count(), "one saved: " + statuses);
        assertEquals(admins.size() - 1, statuses.stream().filter(s -> s == 409).count(), "the others 409: " + statuses);
        as(token(other, "sam", "supporter")).get(otherPath).then().body("replies", hasSize(1));
    }

    private void fill(int count) throws SQLException {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement insert = connection.prepareStatement("""
                        insert into saved_replies (id, tenant_id, shortcut, content, updated_by, updated_at)
                        values (?, ?, ?, 'filled', 'ann', now())""")) {
            for (int i = 0; i < count; i++) {
                insert.setObject(1, UUID.randomUUID());
                insert.setString(2, tenant);
                insert.setString(3, "filled-" + i);
                insert.addBatch();
            }
            insert.executeBatch();
        }
    }
}
