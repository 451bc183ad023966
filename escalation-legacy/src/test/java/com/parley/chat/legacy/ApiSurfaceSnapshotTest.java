package com.parley.chat.legacy;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;

/**
 * Pins the frozen API surface: every path and method of the OpenAPI document, whether it is
 * deprecated, and what a request to it answers (status, content type, deprecation headers). A
 * change fails the build until src/test/resources/api-surface.txt is changed on purpose, for
 * example with {@code ./mvnw test -pl escalation-legacy -Dlegacy.snapshot.update=true}.
 */
@QuarkusTest
class ApiSurfaceSnapshotTest {

    private static final Path SNAPSHOT = Path.of("src/test/resources/api-surface.txt");

    @Test
    void theApiSurfaceMatchesTheCommittedSnapshot() throws IOException {
        JsonPath openApi = given().queryParam("format", "json").get("/q/openapi").then().statusCode(200)
                .extract().jsonPath();
        Map<String, Map<String, Object>> paths = openApi.getMap("paths");
        TreeSet<String> lines = new TreeSet<>();
        for (var path : paths.entrySet()) {
            for (var operation : path.getValue().entrySet()) {
                String method = operation.getKey().toUpperCase();
                @SuppressWarnings("unchecked")
                Map<String, Object> op = (Map<String, Object>) operation.getValue();
                String concrete = path.getKey().replace("{tenantId}", "acme").replace("{sessionId}", "s-1")
                        .replace("{rest}", "");
                Response response = given().request(method, concrete);
                lines.add(String.join(" | ", method, path.getKey(),
                        "deprecated=" + Boolean.TRUE.equals(op.get("deprecated")),
                        "status=" + response.statusCode(),
                        "type=" + response.contentType(),
                        "headers=" + presentHeaders(response)));
            }
        }
        String actual = String.join("\n", lines) + "\n";
        if (Boolean.getBoolean("legacy.snapshot.update")) {
            Files.writeString(SNAPSHOT, actual);
        }
        assertEquals(Files.readString(SNAPSHOT), actual,
                "The frozen API surface changed. If that is on purpose, run with -Dlegacy.snapshot.update=true "
                        + "and commit " + SNAPSHOT);
    }

    private static String presentHeaders(Response response) {
        List<String> present = new ArrayList<>();
        for (String header : List.of("Deprecation", "Sunset", "Link")) {
            if (response.header(header) != null) {
                present.add(header);
            }
        }
        return String.join(",", present);
    }
}
