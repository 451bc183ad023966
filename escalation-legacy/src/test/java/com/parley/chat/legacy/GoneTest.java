package com.parley.chat.legacy;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.emptyOrNullString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.matchesPattern;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

@QuarkusTest
class GoneTest {

    static final List<String> LEGACY_URLS = List.of(
            "/api/chat/acme/session/3f1c2a9e-0000-4000-8000-000000000001/escalate",
            "/api/tenants/acme/supporters/sup-7/sessions",
            "/api/tenants/acme/supporters",
            "/api/tenants/acme/supporters/sup-7",
            "/api/tenants/acme/supporter-chat",
            "/api/tenants/acme/supporter-chat/messages",
            "/api/admin/escalations",
            "/api/admin/escalations/queue",
            "/api/admin/escalations/42/assign",
            "/api/admin/escalations/42/resolve");
    static final List<String> METHODS = List.of("GET", "POST", "PUT", "PATCH", "DELETE");

    @Test
    void everyLegacyUrlAndMethodAnswers410WithAProblemAndDeprecationHeaders() {
        for (String url : LEGACY_URLS) {
            for (String method : METHODS) {
                given().contentType("application/json").body("{\"reason\":\"angry customer\"}")
                        .request(method, url).then()
                        .statusCode(410)
                        .contentType("application/problem+json")
                        .header("Deprecation", matchesPattern("@\\d+"))
                        // an HTTP-date is IMF-fixdate (RFC 9110 5.6.7): a two-digit day ("01 Jun", not "1 Jun")
                        .header("Sunset", matchesPattern("[A-Z][a-z]{2}, \\d{2} [A-Z][a-z]{2} \\d{4} \\d{2}:\\d{2}:\\d{2} GMT"))
                        .header("Link", containsString("rel=\"deprecation\""))
                        .header("Link", containsString("migration.md"))
                        .body("type", equalTo("https://parley.chat/problems/feature-removed"))
                        .body("title", equalTo("Gone"))
                        .body("status", equalTo(410))
                        .body("detail", equalTo("The escalation feature has been removed. Please contact support directly."))
                        .body("instance", equalTo(url));
            }
        }
    }

    @Test
    void headAnswersLikeGetWithoutABody() {
        String url = LEGACY_URLS.get(0);
        Response get = given().get(url);
        Response head = given().head(url);
        assertEquals(410, head.statusCode());
        assertEquals(get.header("Deprecation"), head.header("Deprecation"));
        assertEquals(get.header("Sunset"), head.header("Sunset"));
        assertEquals(get.header("Link"), head.header("Link"));
        head.then().body(emptyOrNullString());
    }

    @Test
    void aBrowserPreflightIsAnsweredSoTheBrowserCanRead410() {
        given().header("Origin", "https://shop.example").header("Access-Control-Request-Method", "POST")
                .header("Access-Control-Request-Headers", "authorization,content-type")
                .options(LEGACY_URLS.get(0)).then()
                .statusCode(200)
                .header("Access-Control-Allow-Origin", "https://shop.example")
                .header("Access-Control-Allow-Methods", containsString("POST"));
        given().header("Origin", "https://shop.example").post(LEGACY_URLS.get(0)).then().statusCode(410)
                .header("Access-Control-Allow-Origin", "https://shop.example")
                .header("Access-Control-Expose-Headers", containsString("Sunset"));
    }

    @Test
    void tokensAreNeitherAskedForNorLookedAt() {
        String url = LEGACY_URLS.get(6);
        String none = given().get(url).then().statusCode(410).extract().asString();
        String bad = given().header("Authorization", "Bearer not-a-token").get(url).then().statusCode(410)
                .extract().asString();
        String wellFormed = given().header("Authorization",
                "Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSIsInRlbmFudCI6ImFjbWUifQ.c2lnbmF0dXJl")
                .get(url).then().statusCode(410).extract().asString();
        assertEquals(none, bad);
        assertEquals(none, wellFormed);
    }

    @Test
    void everythingElseIsA404Problem() {
        for (String url : List.of("/", "/api/tenants/acme/sessions", "/api/chat/acme/session/1/messages",
                "/api/admin", "/api/admin/escalationsX", "/api/tenants/acme/supportersX")) {
            given().get(url).then().statusCode(404).contentType("application/problem+json")
                    .body("status", equalTo(404)).body("type", equalTo("https://parley.chat/problems/not-found"));
        }
    }
}
