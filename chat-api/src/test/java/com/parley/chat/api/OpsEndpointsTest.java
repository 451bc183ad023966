package com.parley.chat.api;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
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

    /**
     * What an integrator generates a client from: each operation's real success status with its body, and
     * the problems it answers. Start a session and post a message said "200" with an empty schema.
     */
    @Test
    void openApiDocumentsTheStatusesAndBodiesEachOperationAnswers() {
        io.restassured.path.json.JsonPath doc = given().queryParam("format", "json").get("/q/openapi").then()
                .statusCode(200).extract().jsonPath();
        String sessions = "/api/tenants/{tenantId}/sessions";
        String messages = sessions + "/{sessionId}/messages";
        assertBody(doc, sessions, "post", "201", "SessionView");
        assertBody(doc, messages, "post", "201", "MessageView");
        assertBody(doc, messages, "post", "200", "MessageView"); // a retry of its client_message_id
        assertBody(doc, "/api/tenants/{tenantId}/notices", "post", "202", "TenantNotice");
        assertBody(doc, "/api/tenants/{tenantId}/erasures", "post", "200", "Erasure");
        assertStatuses(doc, messages + "/{messageId}", "delete", "204");
        // a message is deleted in a closed chat too (MessageApiTest): no 409 to expect
        org.junit.jupiter.api.Assertions.assertEquals(java.util.Set.of("204", "401", "403", "404", "503"),
                doc.getMap("paths.'" + messages + "/{messageId}'.delete.responses").keySet());
        assertStatuses(doc, messages, "post", "400", "404", "409", "413", "415", "422", "429", "503");
        assertStatuses(doc, sessions + "/{sessionId}/claim", "post", "200", "404", "409");
        assertStatuses(doc, sessions + "/{sessionId}", "get", "200", "404");
        assertBody(doc, "/api/tenants/{tenantId}/saved-replies", "post", "201", "SavedReply");
        assertStatuses(doc, "/api/tenants/{tenantId}/saved-replies", "post", "409", "422", "429");
        assertStatuses(doc, "/api/tenants/{tenantId}/saved-replies/{replyId}", "put", "200", "404", "409", "422");
        assertStatuses(doc, "/api/tenants/{tenantId}/saved-replies/{replyId}", "delete", "204", "404");
        // the names on the wire: snake_case (the schemas said clientMessageId, which chat-api ignores)
        for (String schema : java.util.List.of("PostMessageRequest", "MessageView", "SessionView", "EventPage")) {
            java.util.Map<String, Object> properties = doc.getMap("components.schemas." + schema + ".properties");
            org.junit.jupiter.api.Assertions.assertTrue(properties.keySet().stream().noneMatch(
                    name -> name.chars().anyMatch(Character::isUpperCase)), schema + ": " + properties.keySet());
        }
        org.junit.jupiter.api.Assertions.assertTrue(doc.getMap("components.schemas.PostMessageRequest.properties")
                .containsKey("client_message_id"));

        java.util.Map<String, java.util.Map<String, java.util.Map<String, Object>>> paths = doc.getMap("paths");
        java.util.List<String> undocumented = new java.util.ArrayList<>();
        paths.forEach((path, operations) -> operations.forEach((method, operation) -> {
            if (!path.startsWith("/api/")) {
                return;
            }
            @SuppressWarnings("unchecked")
            java.util.Map<String, java.util.Map<String, Object>> responses =
                    (java.util.Map<String, java.util.Map<String, Object>>) operation.get("responses");
            java.util.List<String> expected = new java.util.ArrayList<>(java.util.List.of("401", "403"));
            if (path.contains("{sessionId}")) { // another tenant's session, or none (GET …/reads left it out)
                expected.add("404");
            }
            if (operation.containsKey("requestBody")) { // POST …/erasures answers these and did not say so
                expected.addAll(java.util.List.of("413", "415", "422"));
            }
            for (String status : expected) {
                if (!responses.containsKey(status) || !String.valueOf(responses.get(status).get("content"))
                        .contains("application/problem+json")) {
                    undocumented.add(method + " " + path + " " + status);
                }
            }
            responses.forEach((status, response) -> {
                if (String.valueOf(response.get("content")).contains("schema={}")) {
                    undocumented.add(method + " " + path + " " + status + " has no schema");
                }
            });
        }));
        org.junit.jupiter.api.Assertions.assertEquals(java.util.List.of(), undocumented);
    }

    /** OPTIONS (and a 405's Allow) name exactly the methods the document has for each path of the API. */
    @Test
    void optionsOfEveryPathNameTheMethodsItsOperationsHave() {
        io.restassured.path.json.JsonPath doc = given().queryParam("format", "json").get("/q/openapi").then()
                .statusCode(200).extract().jsonPath();
        java.util.Map<String, java.util.Map<String, Object>> paths = doc.getMap("paths");
        paths.forEach((path, operations) -> {
            if (!path.startsWith("/api/")) {
                return;
            }
            java.util.Set<String> expected = new java.util.TreeSet<>(java.util.Set.of("OPTIONS"));
            operations.keySet().forEach(method -> expected.add(method.toUpperCase(java.util.Locale.ROOT)));
            if (expected.contains("GET")) {
                expected.add("HEAD");
            }
            String url = path.replaceAll("\\{[^}]+}", java.util.UUID.randomUUID().toString());
            org.junit.jupiter.api.Assertions.assertEquals(String.join(", ", expected),
                    given().options(url).then().statusCode(204).extract().header("Allow"), path);
        });
    }

    /**
     * A generated client names its methods by operationId: without one, openapi-generator made up
     * apiTenantsTenantIdSessionsSessionIdTransferPost, and a linter (redocly) flagged every operation.
     */
    @Test
    void everyOperationHasItsOwnOperationIdAndEveryBodyIsDescribedAsItIs() {
        io.restassured.path.json.JsonPath doc = given().queryParam("format", "json").get("/q/openapi").then()
                .statusCode(200).extract().jsonPath();
        java.util.Map<String, java.util.Map<String, java.util.Map<String, Object>>> paths = doc.getMap("paths");
        java.util.List<String> ids = new java.util.ArrayList<>();
        java.util.List<String> unnamed = new java.util.ArrayList<>();
        paths.forEach((path, operations) -> operations.forEach((method, operation) -> {
            Object id = operation.get("operationId");
            if (id == null) {
                unnamed.add(method + " " + path);
            } else {
                ids.add(String.valueOf(id));
            }
        }));
        org.junit.jupiter.api.Assertions.assertEquals(java.util.List.of(), unnamed);
        org.junit.jupiter.api.Assertions.assertEquals(ids.size(), new java.util.HashSet<>(ids).size(), "unique: " + ids);
        org.junit.jupiter.api.Assertions.assertTrue(ids.containsAll(java.util.List.of("createSession", "postMessage",
                "listSessionEvents", "claimSession")), ids.toString());
        // the events of history as they are (the scanner had described Jackson's JsonNode: a bag of booleans)
        org.junit.jupiter.api.Assertions.assertEquals("#/components/schemas/SessionEvent",
                doc.getString("components.schemas.EventPage.properties.events.items.'$ref'"));
        org.junit.jupiter.api.Assertions.assertTrue(doc.getList("components.schemas.SessionEvent.required")
                .containsAll(java.util.List.of("type", "event_id", "session_id", "seq")));
        org.junit.jupiter.api.Assertions.assertNull(doc.get("components.schemas.JsonNode"));
        for (String path : java.util.List.of("messages", "events")) { // a seq is a 64-bit number everywhere
            java.util.List<java.util.Map<String, Object>> parameters = doc.getList(
                    "paths.'/api/tenants/{tenantId}/sessions/{sessionId}/" + path + "'.get.parameters");
            assertEquals("int64", parameters.stream().filter(p -> "after_seq".equals(p.get("name")))
                    .map(p -> String.valueOf(((java.util.Map<?, ?>) p.get("schema")).get("format"))).findFirst()
                    .orElse(null), path);
        }
        // a request body takes its own fields only (400 malformed-body otherwise): a generated client says so too
        java.util.List<String> lenient = new java.util.ArrayList<>();
        paths.forEach((path, operations) -> operations.forEach((method, operation) -> {
            Object ref = doc.get("paths.'" + path + "'." + method
                    + ".requestBody.content.'application/json'.schema.'$ref'");
            if (ref != null && !Boolean.FALSE.equals(doc.get("components.schemas."
                    + String.valueOf(ref).substring("#/components/schemas/".length()) + ".additionalProperties"))) {
                lenient.add(method + " " + path + " " + ref);
            }
        }));
        org.junit.jupiter.api.Assertions.assertEquals(java.util.List.of(), lenient);
        org.junit.jupiter.api.Assertions.assertNotNull(doc.get(
                "paths.'/api/tenants/{tenantId}/sessions/{sessionId}/messages'.post.requestBody"));
        java.util.List<java.util.Map<String, Object>> tags = doc.getList("tags");
        org.junit.jupiter.api.Assertions.assertTrue(tags.stream().allMatch(tag -> tag.get("description") != null),
                tags.toString());
    }

    /** The history a generated client reads: every field of every type of event is in the SessionEvent schema. */
    @Test
    void theSessionEventSchemaHoldsEveryFieldOfEveryEventOfHistory() {
        String customer = Api.token("acme", "olga", "user");
        String staff = Api.token("acme", "sam", "supporter");
        String session = Api.as(customer).body(java.util.Map.of("metadata", java.util.Map.of("page", "/cart")))
                .post(Api.sessionsPath("acme")).then().statusCode(201).extract().path("id");
        String path = Api.sessionsPath("acme") + "/" + session;
        String message = Api.as(customer).body(java.util.Map.of("content", "hi", "client_message_id",
                Api.newClientMessageId())).post(path + "/messages").then().statusCode(201).extract().path("id");
        Api.as(staff).post(path + "/claim").then().statusCode(200);
        Api.as(staff).delete(path + "/claim").then().statusCode(200);
        Api.as(staff).delete(path + "/messages/" + message).then().statusCode(204);
        Api.as(staff).body(java.util.Map.of("status", "resolved")).patch(path).then().statusCode(200);

        java.util.List<java.util.Map<String, Object>> events = Api.as(staff).get(path + "/events").then()
                .statusCode(200).extract().jsonPath().getList("events");
        assertEquals(java.util.List.of("SessionCreated", "MessageCreated", "SessionClaimed", "SessionReleased",
                "MessageDeleted", "SessionStatusChanged"), events.stream().map(e -> e.get("type")).toList());
        java.util.Set<String> documented = given().queryParam("format", "json").get("/q/openapi").then()
                .statusCode(200).extract().jsonPath().<String, Object>getMap("components.schemas.SessionEvent.properties").keySet();
        java.util.List<String> missing = events.stream().flatMap(e -> e.keySet().stream()
                .filter(field -> !documented.contains(field)).map(field -> e.get("type") + "." + field)).toList();
        assertEquals(java.util.List.of(), missing);
    }

    private static void assertBody(io.restassured.path.json.JsonPath doc, String path, String method, String status,
            String schema) {
        String ref = doc.getString("paths.'" + path + "'." + method + ".responses.'" + status
                + "'.content.'application/json'.schema.'$ref'");
        org.junit.jupiter.api.Assertions.assertEquals("#/components/schemas/" + schema, ref,
                method + " " + path + " " + status);
    }

    private static void assertStatuses(io.restassured.path.json.JsonPath doc, String path, String method,
            String... statuses) {
        java.util.Map<String, Object> responses = doc.getMap("paths.'" + path + "'." + method + ".responses");
        for (String status : statuses) {
            org.junit.jupiter.api.Assertions.assertTrue(responses.containsKey(status),
                    method + " " + path + " documents " + responses.keySet() + ", not " + status);
        }
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
