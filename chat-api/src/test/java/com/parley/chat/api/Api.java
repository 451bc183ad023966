package com.parley.chat.api;

import static io.restassured.RestAssured.given;

import java.util.Map;
import java.util.UUID;

import com.parley.infra.ChatInfra;

import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;

/** Small helpers over REST Assured for the chat-api tests. */
final class Api {

    private Api() {
    }

    static String token(String tenant, String user, String role) {
        return ChatInfra.get().tokens().issue(tenant, user, role);
    }

    static RequestSpecification as(String token) {
        return given().auth().oauth2(token).contentType(ContentType.JSON);
    }

    static String sessionsPath(String tenant) {
        return "/api/tenants/" + tenant + "/sessions";
    }

    /** Creates a session as the customer and returns its id. */
    static String newSession(String tenant, String customer) {
        return as(token(tenant, customer, "user")).body(Map.of()).post(sessionsPath(tenant))
                .then().statusCode(201).extract().path("id");
    }

    static String newClientMessageId() {
        return "c-" + UUID.randomUUID();
    }
}
