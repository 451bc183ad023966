package com.parley.chat.api;

import static com.parley.chat.api.Api.as;
import static com.parley.chat.api.Api.newClientMessageId;
import static com.parley.chat.api.Api.newSession;
import static com.parley.chat.api.Api.sessionsPath;
import static com.parley.chat.api.Api.token;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import com.parley.infra.ChatInfra;
import com.parley.infra.ChatInfraResource;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** Staff find the chat where a customer wrote something (q): in the messages and the customer's name. */
@QuarkusTest
@WithTestResource(ChatInfraResource.class)
class SessionSearchTest {

    private final String tenant = "t-" + UUID.randomUUID();

    @Test
    void staffFindTheChatsThatSayItInAnyCaseAndNothingElse() {
        String refund = newSession(tenant, "alice");
        post(refund, "alice", "user", "Hello, I am still waiting for the REFUND of order 42.");
        String shipping = newSession(tenant, "bob");
        post(shipping, "bob", "user", "Do you ship to Norway?");
        String answered = newSession(tenant, "carol");
        post(answered, "sam", "supporter", "Your refund is on its way.");
        String named = as(ChatInfra.get().tokens().issueNamed(tenant, "dora", "user", "Dora Refundsdottir"))
                .body(Map.of()).post(sessionsPath(tenant)).then().statusCode(201).extract().path("id");
        String elsewhere = "other-" + UUID.randomUUID();
        post(newSession(elsewhere, "eve"), "eve", "user", "refund please", elsewhere);
        String sam = token(tenant, "sam", "supporter");

        assertEquals(List.of(named, answered, refund), search(sam, "Refund"),
                "messages by anyone and the customer's name, newest first; another tenant's never");
        assertEquals(List.of(refund), search(sam, "order 42"));
        assertEquals(List.of(shipping), search(sam, "NORWAY"));
        assertEquals(List.of(), search(sam, "cancel"));
        assertEquals(List.of(), search(sam, "100%"), "% is the text, not a wildcard");
        assertEquals(List.of(), search(sam, "_"));

        // the customer finds their own chats only
        assertEquals(List.of(refund), search(token(tenant, "alice", "user"), "refund"));
        assertEquals(List.of(), search(token(tenant, "bob", "user"), "refund"));
    }

    @Test
    void staffFindAChatByWhatANoteOnItSaysItsCustomerDoesNot() {
        String lost = newSession(tenant, "gina");
        post(lost, "gina", "user", "Where is my parcel?");
        String other = newSession(tenant, "hal");
        post(other, "hal", "user", "Where is my parcel too?");
        String sam = token(tenant, "sam", "supporter");
        as(sam).body(Map.of("content", "Parcel lost in transit: REFUND agreed with the courier."))
                .post(sessionsPath(tenant) + "/" + lost + "/notes").then().statusCode(201);

        assertEquals(List.of(lost), search(sam, "refund agreed"), "a note's words find its chat, in any case");
        assertEquals(List.of(lost), search(token(tenant, "bot", "service"), "courier"), "services read notes too");
        assertEquals(List.of(other, lost), search(sam, "parcel"), "and messages as before, each chat once");
        // notes are staff's: the customer's own search never looks into them
        assertEquals(List.of(), search(token(tenant, "gina", "user"), "refund agreed"));
        assertEquals(List.of(lost), search(token(tenant, "gina", "user"), "parcel"));
    }

    @Test
    void aDeletedMessageIsFoundByNothing() {
        String session = newSession(tenant, "frank");
        String message = post(session, "frank", "user", "my card number is 4111 1111 1111 1111");
        String sam = token(tenant, "sam", "supporter");
        assertEquals(List.of(session), search(sam, "4111"));
        as(sam).delete(sessionsPath(tenant) + "/" + session + "/messages/" + message).then().statusCode(204);
        assertEquals(List.of(), search(sam, "4111"), "what was taken back is not searchable");
    }

    @Test
    void aSearchTogetherWithTheOtherFiltersAndPagesByCursor() {
        String sam = token(tenant, "sam", "supporter");
        String first = newSession(tenant, "gina");
        post(first, "gina", "user", "invoice please");
        String second = newSession(tenant, "hal");
        post(second, "hal", "user", "where is my invoice");
        as(sam).post(sessionsPath(tenant) + "/" + second + "/claim").then().statusCode(200);
        String unrelated = newSession(tenant, "ivy");
        post(unrelated, "ivy", "user", "hello");

        assertEquals(List.of(first), as(sam).queryParam("q", "invoice").queryParam("claim", "unclaimed")
                .get(sessionsPath(tenant)).then().statusCode(200).extract().jsonPath().getList("items.id"));
        var page = as(sam).queryParam("q", "invoice").queryParam("size", 1).get(sessionsPath(tenant)).then()
                .statusCode(200).body("has_more", equalTo(true)).extract().jsonPath();
        assertEquals(List.of(second), page.getList("items.id"));
        assertEquals(List.of(first), as(sam).queryParam("q", "invoice").queryParam("size", 1)
                .queryParam("cursor", page.getString("next_cursor")).get(sessionsPath(tenant)).then()
                .statusCode(200).body("has_more", equalTo(false)).extract().jsonPath().getList("items.id"));
    }

    @Test
    void aNulCharacterInTheSearchOrTheCustomerFilterIsABadRequestNotAServerError() {
        String sam = token(tenant, "sam", "supporter");
        newSession(tenant, "nora");
        for (String parameter : List.of("q", "customer_user_id")) {
            as(sam).queryParam(parameter, "nora\u0000").get(sessionsPath(tenant)).then().statusCode(400)
                    .body("type", equalTo("https://parley.chat/problems/bad-request"))
                    .body("detail", equalTo(parameter + " must not contain NUL characters."));
        }
        assertEquals(1, as(sam).queryParam("customer_user_id", "nora").get(sessionsPath(tenant)).then()
                .statusCode(200).extract().jsonPath().getList("items").size(), "the same without it");
    }

    @Test
    void anOverlongSearchIsABadRequestAndABlankOneListsEverything() {
        String sam = token(tenant, "sam", "supporter");
        as(sam).queryParam("q", "x".repeat(201)).get(sessionsPath(tenant)).then().statusCode(400)
                .body("type", equalTo("https://parley.chat/problems/bad-request"))
                .body("detail", equalTo("q must be at most 200 characters of text to look for."));
        as(sam).queryParam("q", "x".repeat(200)).get(sessionsPath(tenant)).then().statusCode(200);
        String session = newSession(tenant, "jon");
        for (String blank : List.of("", "   ")) {
            assertEquals(List.of(session), search(sam, blank), "an empty search box: the list as without it");
        }
    }

    private List<String> search(String token, String q) {
        return as(token).queryParam("q", q).get(sessionsPath(tenant)).then().statusCode(200).extract().jsonPath()
                .getList("items.id");
    }

    private String post(String session, String user, String role, String content) {
        return post(session, user, role, content, tenant);
    }

    private static String post(String session, String user, String role, String content, String tenant) {
        return as(token(tenant, user, role)).body(Map.of("content", content, "client_message_id", newClientMessageId()))
                .post(sessionsPath(tenant) + "/" + session + "/messages").then().statusCode(201).extract().path("id");
    }
}
