package com.parley.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * In Kubernetes every service logs one JSON object per record, which a log collector (Loki, Elastic,
 * Cloud Logging) takes as one entry with its level, logger and, for a failure, the whole stack trace;
 * the local run and the tests keep Quarkus' readable lines.
 */
class JsonLogsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SWITCH = "QUARKUS_LOG_CONSOLE_JSON_ENABLED";

    static List<String> overlays() throws IOException {
        return KustomizeOverlaysTest.overlays();
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void everyServiceOfEveryOverlayLogsJson(String overlay) {
        List<JsonNode> docs = Repo.documents(Repo.run(List.of("kubectl", "kustomize", "deploy/k8s/overlays/" + overlay)));
        List<String> deployments = new ArrayList<>();
        for (JsonNode deployment : docs) {
            if (!"Deployment".equals(deployment.path("kind").asText())) {
                continue;
            }
            deployments.add(deployment.path("metadata").path("name").asText());
            for (JsonNode container : deployment.path("spec").path("template").path("spec").path("containers")) {
                String where = overlay + "/" + container.path("name").asText();
                assertEquals("true", envOf(docs, container, SWITCH), where + ": " + SWITCH);
            }
        }
        assertEquals(List.of("chat-api", "escalation-legacy", "realtime-gateway"), deployments.stream().sorted().toList());
    }

    @Test
    void aServiceWithTheSwitchOnWritesOneJsonObjectPerRecordAndAFailureWithItsStackTraceInOne() throws Exception {
        // escalation-legacy needs nothing else to start
        List<String> started = runUntil("escalation-legacy", List.of("-D" + property() + "=true",
                "-Dquarkus.http.port=0"), line -> line.contains("started in"));
        assertFalse(started.isEmpty());
        for (String line : started) {
            JsonNode record = JSON.readTree(line); // each line a whole JSON object
            assertTrue(record.isObject(), line);
            assertFalse(record.path("level").asText().isEmpty(), line);
            assertFalse(record.path("loggerName").asText().isEmpty(), line);
            assertTrue(record.has("message"), line);
        }
        // chat-api without its database: the failure and its causes are one record, not a line per frame
        List<String> failed = runUntil("chat-api", List.of("-D" + property() + "=true", "-Dquarkus.http.port=0",
                "-Dquarkus.datasource.jdbc.url=jdbc:postgresql://127.0.0.1:1/none"), line -> false);
        List<JsonNode> errors = new ArrayList<>();
        for (String line : failed) {
            JsonNode record = JSON.readTree(line);
            assertTrue(record.isObject(), line);
            if (record.path("level").asText().equals("ERROR") && record.has("exception")) {
                errors.add(record);
            }
        }
        assertFalse(errors.isEmpty(), "no ERROR record with its exception among " + failed);
        assertTrue(errors.stream().anyMatch(e -> e.toString().contains("Connection")), errors.toString());
    }

    @Test
    void withoutTheSwitchTheLinesStayReadable() throws Exception {
        List<String> started = runUntil("escalation-legacy", List.of("-Dquarkus.http.port=0"),
                line -> line.contains("started in"));
        String last = started.getLast();
        assertNotEquals('{', last.charAt(0), last);
        assertTrue(last.contains("INFO"), last);
    }

    private static String property() {
        return "quarkus.log.console.json.enabled";
    }

    /** The console lines of a built service until {@code stop} matches one or the service exits (60 s at most). */
    private static List<String> runUntil(String module, List<String> options,
            java.util.function.Predicate<String> stop) throws Exception {
        Path jar = Repo.ROOT.resolve(module + "/target/quarkus-app/quarkus-run.jar");
        assertTrue(Files.exists(jar), jar + " is not built: run ./mvnw package first");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString()));
        command.addAll(options);
        command.addAll(List.of("-Dquarkus.http.host=127.0.0.1", "-jar", jar.toString()));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        List<String> lines = new ArrayList<>();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            String line;
            while (System.nanoTime() < deadline && (line = out.readLine()) != null) {
                if (line.isBlank()) {
                    continue;
                }
                lines.add(line);
                if (stop.test(line)) {
                    break;
                }
            }
        } finally {
            process.destroy();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
        return lines;
    }

    /** A container's value for {@code name}: its own env, else the ConfigMaps it takes whole. */
    private static String envOf(List<JsonNode> docs, JsonNode container, String name) {
        for (JsonNode e : container.path("env")) {
            if (name.equals(e.path("name").asText())) {
                return e.path("value").asText();
            }
        }
        for (JsonNode from : container.path("envFrom")) {
            String map = from.path("configMapRef").path("name").asText();
            for (JsonNode doc : docs) {
                if ("ConfigMap".equals(doc.path("kind").asText())
                        && map.equals(doc.path("metadata").path("name").asText())
                        && doc.path("data").has(name)) {
                    return doc.path("data").path(name).asText();
                }
            }
        }
        return null;
    }
}
