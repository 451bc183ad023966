package com.parley.chat.legacy;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;

/** Operators see which removed routes old clients still call, and what kind of client they are. */
@QuarkusTest
class GoneMetricsTest {

    private static double counter(String route, String client) {
        String page = given().get("/q/metrics").then().statusCode(200).extract().asString();
        Matcher m = Pattern.compile("(?m)^parley_legacy_gone_total\\{([^}]*)\\} (\\S+)$").matcher(page);
        double sum = 0;
        while (m.find()) {
            if (m.group(1).contains("route=\"" + route + "\"") && m.group(1).contains("client=\"" + client + "\"")) {
                sum += Double.parseDouble(m.group(2));
            }
        }
        return sum;
    }

    @Test
    void every410IsCountedByRemovedRouteAndClientFamily() {
        double browsers = counter("escalate", "browser");
        double scripts = counter("admin-escalations", "cli");
        for (int i = 0; i < 2; i++) {
            given().header("User-Agent", "Mozilla/5.0 (Windows NT 10.0) OldWidget/1.2")
                    .post("/api/chat/acme/session/s-1/escalate").then().statusCode(410);
        }
        given().header("User-Agent", "curl/8.5.0").get("/api/admin/escalations/queue").then().statusCode(410);
        assertEquals(browsers + 2, counter("escalate", "browser"));
        assertEquals(scripts + 1, counter("admin-escalations", "cli"));
    }
}
