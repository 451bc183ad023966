package com.parley.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/** The shop that {@code deploy/local/start.sh} opens to show the widget on a customer's own site. */
class DemoShopTest {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Test
    void thePageEmbedsTheWidgetWithOneTagAndItsTokenUrlKnowsEachVisitorByACookie() throws Exception {
        try (DemoShop shop = new DemoShop(0, new DevTokens(DevKeys.generate().getPrivate()), "acme",
                "http://127.0.0.1:8080", "http://127.0.0.1:8081,http://127.0.0.1:8082").start()) {
            HttpResponse<String> page = get(shop.origin() + "/", null);
            assertEquals(200, page.statusCode());
            assertTrue(page.body().contains("<script type=\"module\" src=\"http://127.0.0.1:8081/client/v1/widget.js\""
                    + " data-tenant=\"acme\" data-token-url=\"/parley/token\""), page.body());
            assertTrue(page.body().contains("data-gateways=\"http://127.0.0.1:8081,http://127.0.0.1:8082\""));
            assertTrue(page.body().contains("<a href=\"#support\" data-parley-open>"), "the shop's own link to the chat");

            HttpResponse<String> first = get(shop.origin() + "/parley/token", null);
            String cookie = first.headers().firstValue("Set-Cookie").orElseThrow().split(";")[0];
            String visitor = subject(first.body());
            assertEquals("visitor=" + visitor, cookie, "the cookie names the token's user");
            HttpResponse<String> again = get(shop.origin() + "/parley/token", cookie);
            assertEquals(visitor, subject(again.body()), "the same visitor, the same chat");
            assertEquals(Optional.empty(), again.headers().firstValue("Set-Cookie"));
            assertNotEquals(visitor, subject(get(shop.origin() + "/parley/token", null).body()),
                    "another browser is another customer");
            assertEquals(404, get(shop.origin() + "/admin", null).statusCode());
            // the page in another language, and so the widget: its <html lang> from ?lang=, only a language tag
            assertTrue(page.body().contains("<html lang=\"en\">"), page.body());
            assertTrue(get(shop.origin() + "/?lang=de", null).body().contains("<html lang=\"de\">"));
            assertTrue(get(shop.origin() + "/?x=1&lang=fr-CA", null).body().contains("<html lang=\"fr-CA\">"));
            String hostile = get(shop.origin() + "/?lang=%22%3E%3Cscript%3E", null).body();
            assertTrue(hostile.contains("<html lang=\"en\">") && !hostile.contains("<script>"), hostile);

            // the same shop asked by IP: another origin, not allowed by chat-api and the gateways, so the
            // visitor is sent to the shop's own address rather than shown a widget that cannot connect
            String byIp = shop.origin().replace("localhost", "127.0.0.1");
            HttpResponse<String> moved = get(byIp + "/?lang=de", null);
            assertEquals(307, moved.statusCode(), moved.body());
            assertEquals(Optional.of(shop.origin() + "/?lang=de"), moved.headers().firstValue("Location"));
        }
    }

    private static HttpResponse<String> get(String url, String cookie) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url));
        if (cookie != null) {
            request.header("Cookie", cookie);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The {@code sub} of the token in {@code {"token":"..."}}. */
    private static String subject(String body) {
        Matcher token = Pattern.compile("\"token\":\"([^\"]+)\"").matcher(body);
        assertTrue(token.find(), body);
        byte[] payload = Base64.getUrlDecoder().decode(token.group(1).split("\\.")[1]);
        String claims = new String(payload, StandardCharsets.UTF_8);
        Matcher sub = Pattern.compile("\"sub\":\"([^\"]+)\"").matcher(claims);
        assertTrue(sub.find(), claims);
        return sub.group(1);
    }
}
