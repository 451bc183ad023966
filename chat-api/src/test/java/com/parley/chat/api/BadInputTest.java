package com.parley.chat.api;

import static com.parley.chat.api.Api.as;
import static com.parley.chat.api.Api.newSession;
import static com.parley.chat.api.Api.sessionsPath;
import static com.parley.chat.api.Api.token;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import com.parley.infra.ChatInfraResource;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;

/**
 * Input that PostgreSQL or Java arithmetic cannot take gets a 4xx problem, never a 500 (findings of
 * the outside review); and a retry never returns another participant's message.
 */
@QuarkusTest
@WithTestResource(ChatInfraResource.class)
class BadInputTest {

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private final String tenant = "t-" + UUID.randomUUID();

    private String messages(String session) {
        return sessionsPath(tenant) + "/" + session + "/messages";
    }

    @Test
    void aQueryParameterGivenTwiceIsRefusedNotReadAtItsFirstValue() {
        // ?status=open&status=closed listed the open sessions only, as if the second were not there
        String session = newSession(tenant, "alice");
        String sam = token(tenant, "sam", "supporter");
        as(sam).queryParam("status", "open", "closed").get(sessionsPath(tenant)).then().statusCode(400)
                .contentType("application/problem+json").body("type", endsWith("/bad-request"))
                .body("detail", containsString("'status' more than once"));
        as(sam).get(sessionsPath(tenant) + "/" + session + "/events?after_seq=1&after_seq=0").then().statusCode(400)
                .body("detail", containsString("'after_seq'"));
        as(sam).queryParam("status", "open").get(sessionsPath(tenant)).then().statusCode(200);
        as(sam).get(sessionsPath(tenant) + "/" + session + "?utm=a&utm=b").then().statusCode(200); // not its own
    }

    @Test
    void aBodyHoldingMoreThanOneJsonValueIsRefusedNotCutAfterTheFirst() {
        // two messages run together in one body (a client's bug): storing the first and dropping the
        // second without a word loses it
        String session = newSession(tenant, "alice");
        String alice = token(tenant, "alice", "user");
        String one = "{\"content\":\"one\",\"client_message_id\":\"t-1\"}";
        Map<String, String> refused = Map.of(
                one + "{\"content\":\"two\",\"client_message_id\":\"t-2\"}",
                "The body holds more than one JSON value; send one object.",
                one + " xyz", "The body is not valid JSON.");
        refused.forEach((body, detail) -> as(alice).body(body).post(messages(session)).then().statusCode(400)
                .contentType("application/problem+json").body("type", endsWith("/malformed-body"))
                .body("detail", equalTo(detail)));
        as(alice).get(messages(session)).then().statusCode(200).body("items", hasSize(0));
        as(alice).body(one + " \n").post(messages(session)).then().statusCode(201); // white space is no second value
    }

    @Test
    void aFieldGivenTwiceIsRefusedNamingItNotTakenAtItsLastValue() {
        // which of two contents a proxy checked and which one was stored could differ: neither is
        String session = newSession(tenant, "alice");
        String alice = token(tenant, "alice", "user");
        as(alice).body("{\"content\":\"hello\",\"content\":\"<the other words>\"}").post(messages(session)).then()
                .statusCode(400).contentType("application/problem+json")
                .body("type", endsWith("/malformed-body")).body("field", equalTo("content"))
                .body("detail", containsString("'content' more than once"));
        as(alice).body("{\"content\":\"hi\",\"metadata\":{\"k\":1,\"k\":2}}").post(messages(session)).then()
                .statusCode(400).body("field", equalTo("k"));
        as(alice).get(messages(session)).then().statusCode(200).body("items", hasSize(0));
    }

    @Test
    void aMisspelledFieldIsRefusedNamingItNotIgnored() {
        // {"client_msg_id": …} was stored as a message without its idempotency key: a retry posted it twice
        String session = newSession(tenant, "alice");
        String alice = token(tenant, "alice", "user");
        as(alice).body("{\"content\":\"hello\",\"client_msg_id\":\"k-1\"}").post(messages(session)).then()
                .statusCode(400).contentType("application/problem+json")
                .body("type", endsWith("/malformed-body")).body("field", equalTo("client_msg_id"))
                .body("detail", containsString("Unknown field 'client_msg_id'"));
        as(alice).body("{\"custmer_user_id\":\"bob\"}").post(sessionsPath(tenant)).then()
                .statusCode(400).body("field", equalTo("custmer_user_id"));
        as(alice).get(messages(session)).then().statusCode(200).body("items", hasSize(0));
        // what a message's metadata holds is the client's own: any key goes there
        as(alice).body("{\"content\":\"hello\",\"metadata\":{\"anything\":1}}").post(messages(session)).then()
                .statusCode(201);
    }

    @Test
    void aFieldChatApiAnswersWithIsReadOnlyIgnoredWhenSent() {
        // the token and the path decide who wrote what where: a body naming them is carried out without them
        String session = newSession(tenant, "alice");
        String alice = token(tenant, "alice", "user");
        as(alice).body(Map.of("content", "hi", "role", "admin", "sender_user_id", "mallory", "tenant_id", "other",
                "seq", 99, "id", UUID.randomUUID().toString())).post(messages(session)).then().statusCode(201)
                .body("role", equalTo("user")).body("sender_user_id", equalTo("alice"))
                .body("tenant_id", equalTo(tenant)).body("seq", equalTo(2));
        // a saved reply read and sent back whole, with its new words: its id and who changed it are ignored
        String admin = token(tenant, "ann", "admin");
        String replies = "/api/tenants/" + tenant + "/saved-replies";
        Map<String, Object> reply = as(admin).body(Map.of("shortcut", "hours", "content", "9 to 5")).post(replies)
                .then().statusCode(201).extract().jsonPath().getMap("");
        Map<String, Object> edited = new java.util.HashMap<>(reply);
        edited.put("content", "9 to 6");
        as(admin).body(edited).put(replies + "/" + reply.get("id")).then().statusCode(200)
                .body("content", equalTo("9 to 6")).body("id", equalTo(reply.get("id")));
        as(admin).body(Map.of("shortcut", "hours", "content", "9 to 7", "contnet", "x"))
                .put(replies + "/" + reply.get("id")).then().statusCode(400).body("field", equalTo("contnet"));
    }

    @Test
    void nulInMetadataOrClientMessageIdIsAValidationProblem() {
        String session = newSession(tenant, "alice");
        String alice = token(tenant, "alice", "user");
        as(alice).body(Map.of("content", "hi", "metadata", Map.of("k", "a\u0000b"))).post(messages(session)).then()
                .statusCode(422).contentType("application/problem+json").body("field", equalTo("metadata"));
        as(alice).body(Map.of("content", "hi", "metadata", Map.of("k\u0000", "v"))).post(messages(session)).then()
                .statusCode(422).body("field", equalTo("metadata"));
        as(alice).body(Map.of("content", "hi", "client_message_id", "c\u0000")).post(messages(session)).then()
                .statusCode(422).body("field", equalTo("client_message_id"));
        as(alice).body(Map.of("content", "still fine", "client_message_id", "c-1")).post(messages(session)).then()
                .statusCode(201);
    }

    @Test
    void aNumberBeyondADoubleInMetadataIsAValidationProblemNotTheString_Infinity() {
        // 1e999999 was read as an infinite double and stored, and sent to Kafka, as the string "Infinity"
        String session = newSession(tenant, "alice");
        String alice = token(tenant, "alice", "user");
        for (String number : new String[] {"1e999999", "-1e400"}) {
            as(alice).body("{\"content\":\"hi\",\"metadata\":{\"n\":" + number + "}}").post(messages(session))
                    .then().statusCode(422).contentType("application/problem+json").body("field", equalTo("metadata"))
                    .body("detail", equalTo("metadata holds a number beyond what it can store (at most about 1.8e308)."));
            as(alice).body("{\"metadata\":{\"deep\":[{\"n\":" + number + "}]}}").post(sessionsPath(tenant)).then()
                    .statusCode(422).body("field", equalTo("metadata"));
        }
        as(alice).body("{\"content\":\"hi\",\"metadata\":{\"n\":1.5e308,\"m\":-2}}").post(messages(session))
                .then().statusCode(201).body("metadata.m", equalTo(-2));
        as(alice).get(messages(session)).then().statusCode(200).body("items.size()", equalTo(1));
    }

    @Test
    void halfASurrogatePairIsAValidationProblemAndNothingOfItIsStored() {
        // JSON allows the escape of U+D800 alone; PostgreSQL stored '?' while the answer said otherwise
        String session = newSession(tenant, "alice");
        String alice = token(tenant, "alice", "user");
        String sam = token(tenant, "sam", "supporter");
        String half = "\\ud800";
        as(alice).body("{\"content\":\"" + half + "\"}").post(messages(session)).then().statusCode(422)
                .contentType("application/problem+json").body("field", equalTo("content"))
                .body("detail", equalTo("content must be valid Unicode text (it holds half of a surrogate pair)."));
        as(alice).body("{\"content\":\"hi\",\"client_message_id\":\"\\udc00x\"}").post(messages(session))
                .then().statusCode(422).body("field", equalTo("client_message_id"));
        as(alice).body("{\"content\":\"hi\",\"metadata\":{\"k\":\"" + half + "\"}}").post(messages(session))
                .then().statusCode(422).body("field", equalTo("metadata"));
        as(alice).body("{\"metadata\":{\"k\":\"x" + half + "\"}}").post(sessionsPath(tenant)).then()
                .statusCode(422).body("field", equalTo("metadata"));
        as(token(tenant, "ann", "admin")).body("{\"message\":\"" + half + "\",\"severity\":\"info\"}")
                .post("/api/tenants/" + tenant + "/notices").then().statusCode(422).body("field", equalTo("message"));
        as(sam).post(sessionsPath(tenant) + "/" + session + "/claim").then().statusCode(200);
        as(sam).body("{\"to_user_id\":\"" + half + "\"}").post(sessionsPath(tenant) + "/" + session + "/transfer")
                .then().statusCode(422).body("field", equalTo("to_user_id"));

        // a whole pair is one character outside the basic plane, stored and read back as sent
        as(alice).body("{\"content\":\"hi \\ud83d\\ude00\"}").post(messages(session)).then().statusCode(201);
        as(alice).get(messages(session)).then().statusCode(200).body("items.size()", equalTo(1))
                .body("items[0].content", equalTo("hi \ud83d\ude00"));
    }

    @Test
    void aQueryParameterOfTheWrongTypeIsABadRequestThatNamesIt() {
        // JAX-RS answers a value it cannot convert with 404, as if the session did not exist
        String session = newSession(tenant, "alice");
        String alice = token(tenant, "alice", "user");
        String sam = token(tenant, "sam", "supporter");
        String path = sessionsPath(tenant) + "/" + session;
        Map<String, String> cases = Map.of(
                path + "/messages?limit=ten", "limit must be a whole number.",
                path + "/messages?after_seq=abc", "after_seq must be a whole number.",
                path + "/messages?after_seq=99999999999999999999", "after_seq must be a whole number.",
                path + "/events?after_seq=x", "after_seq must be a whole number.",
                path + "/events?limit=1.5", "limit must be a whole number.");
        cases.forEach((url, detail) -> as(alice).get(url).then().statusCode(400)
                .contentType("application/problem+json").body("detail", equalTo(detail)));
        as(sam).get(sessionsPath(tenant) + "?page=abc").then().statusCode(400)
                .body("detail", equalTo("page must be a whole number."));
        as(sam).get(sessionsPath(tenant) + "?size=many").then().statusCode(400)
                .body("detail", equalTo("size must be a whole number."));
        as(sam).post(path + "/claim?take_over=maybe").then().statusCode(400)
                .body("detail", equalTo("take_over must be true or false."));
        // the same parameters, well formed, still work
        as(alice).get(path + "/messages?limit=10&after_seq=0").then().statusCode(200);
        as(alice).get(path + "/events?after_seq=0&limit=5").then().statusCode(200);
        as(sam).get(sessionsPath(tenant) + "?page=0&size=5").then().statusCode(200);
        as(sam).post(path + "/claim?take_over=false").then().statusCode(200);
    }

    @Test
    void aChunkedBodyOverTheLimitIs413ProblemLikeAnyOther() throws Exception {
        String session = newSession(tenant, "alice");
        String alice = token(tenant, "alice", "user");
        for (int size : new int[] { 100_000, 2_000_000 }) { // over max-request-bytes; over the HTTP layer's 1M too
            byte[] body = ("{\"content\":\"" + "x".repeat(size) + "\"}").getBytes(StandardCharsets.UTF_8);
            HttpRequest chunked = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + RestAssured.port
                    + messages(session)))
                    .header("Authorization", "Bearer " + alice).header("Content-Type", "application/json")
                    // a stream of unknown length goes out with Transfer-Encoding: chunked, no Content-Length
                    .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body))).build();
            HttpResponse<String> response = HTTP.send(chunked, HttpResponse.BodyHandlers.ofString());
            assertEquals(413, response.statusCode(), size + " bytes chunked: " + response.body());
            assertEquals("application/problem+json", response.headers().firstValue("Content-Type").orElse(""));
            assertTrue(response.body().contains("payload-too-large"), response.body());
        }
        as(alice).body(Map.of("content", "x".repeat(2_000_000))).post(messages(session)).then().statusCode(413)
                .contentType("application/problem+json"); // with Content-Length, refused before it is read
        as(alice).get(messages(session)).then().statusCode(200).body("items.size()", equalTo(0));
    }

    @Test
    void aClientThatOffersHttp2GetsItsPostStored() throws Exception {
        // the JDK's client by default (and others) asks to upgrade a plain-text connection to HTTP/2
        // (h2c); a request that became HTTP/2 after its body was buffered failed with a 500
        HttpClient http2 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
        String session = newSession(tenant, "alice");
        String alice = token(tenant, "alice", "user");
        for (int i = 1; i <= 3; i++) {
            HttpRequest post = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + RestAssured.port
                    + messages(session)))
                    .header("Authorization", "Bearer " + alice).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"content\":\"over h2c? " + i + "\"}")).build();
            HttpResponse<String> response = http2.send(post, HttpResponse.BodyHandlers.ofString());
            assertEquals(201, response.statusCode(), response.body());
        }
        as(alice).get(messages(session)).then().statusCode(200).body("items.size()", equalTo(3));
    }

    @Test
    void aPageBeyondTheIntegerRangeIsABadRequest() {
        as(token(tenant, "sam", "supporter")).queryParam("page", Integer.MAX_VALUE).queryParam("size", 100)
                .get(sessionsPath(tenant)).then().statusCode(400).contentType("application/problem+json");
    }

    @Test
    void aTenantClaimLongerThanTheColumnIsRefusedAsAToken() {
        String longTenant = "t".repeat(65);
        as(token(longTenant, "alice", "user")).body("{}").post(sessionsPath(longTenant)).then().statusCode(401)
                .contentType("application/problem+json");
    }

    @Test
    void aRetryReturnsOnlyTheSendersOwnMessage() {
        String session = newSession(tenant, "alice");
        as(token(tenant, "alice", "user")).body(Map.of("content", "my private words", "client_message_id", "k-1"))
                .post(messages(session)).then().statusCode(201);
        as(token(tenant, "sam", "supporter")).body(Map.of("content", "reply", "client_message_id", "k-1"))
                .post(messages(session)).then().statusCode(409)
                .body("type", equalTo("https://parley.chat/problems/client-message-id-taken"))
                .body("content", org.hamcrest.Matchers.nullValue());
        as(token(tenant, "alice", "user")).body(Map.of("content", "my private words", "client_message_id", "k-1"))
                .post(messages(session)).then().statusCode(200).body("content", equalTo("my private words"));
    }

    /**
     * A method a URL does not take: 405 with the methods it does take in {@code Allow} (RFC 9110 requires it;
     * there was none), and OPTIONS says the same (it listed every method of the class, DELETE on the list too).
     */
    @Test
    void aMethodTheUrlDoesNotTakeIsRefusedNamingTheOnesItTakes() {
        String session = newSession(tenant, "alice");
        String sam = token(tenant, "sam", "supporter");
        as(sam).delete(sessionsPath(tenant)).then().statusCode(405).contentType("application/problem+json")
                .header("Allow", equalTo("GET, HEAD, OPTIONS, POST"));
        as(sam).put(sessionsPath(tenant) + "/" + session).then().statusCode(405)
                .header("Allow", equalTo("GET, HEAD, OPTIONS, PATCH"));
        as(sam).post(sessionsPath(tenant) + "/" + session + "/reads").then().statusCode(405)
                .header("Allow", equalTo("GET, HEAD, OPTIONS"));
        as(sam).get(sessionsPath(tenant) + "/" + session + "/claim").then().statusCode(405)
                .header("Allow", equalTo("DELETE, OPTIONS, POST"));
        as(sam).options(sessionsPath(tenant)).then().statusCode(204)
                .header("Allow", equalTo("GET, HEAD, OPTIONS, POST"));
        as(sam).options(sessionsPath(tenant) + "/" + session + "/messages/" + UUID.randomUUID()).then().statusCode(204)
                .header("Allow", equalTo("DELETE, GET, HEAD, OPTIONS"));
    }
}
