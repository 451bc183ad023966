package com.parley.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.JsonNode;

/** The one-host install and the container images. */
class ComposeAndImagesTest {

    /** SnakeYAML resolves compose's merge keys ({@code <<: *gateway}) as compose does. */
    private final JsonNode compose = Repo.YAML.valueToTree(
            new org.yaml.snakeyaml.Yaml().load(Repo.read("deploy/compose/compose.yaml")));

    @Test
    void composeRunsEveryPartWithThreeGatewaysAndPinnedImages() {
        List<String> services = new ArrayList<>();
        compose.path("services").fieldNames().forEachRemaining(services::add);
        assertTrue(services.containsAll(List.of("kafka", "kafka-topics", "postgres", "chat-api", "gateway-1",
                "gateway-2", "gateway-3", "escalation-legacy", "edge")), services.toString());
        compose.path("services").forEach(service -> {
            String image = service.path("image").asText();
            assertFalse(image.isEmpty() || image.endsWith(":latest") || !image.contains(":"), "pinned: " + image);
        });
        assertTrue(compose.path("services").path("postgres").path("image").asText().startsWith("postgres:17"));
        assertTrue(compose.path("services").path("kafka").path("environment").path("KAFKA_PROCESS_ROLES").asText()
                .contains("controller"), "KRaft");
        for (String gateway : List.of("gateway-1", "gateway-2", "gateway-3")) {
            JsonNode g = compose.path("services").path(gateway);
            assertEquals(gateway, g.path("environment").path("PARLEY_GATEWAY_INSTANCE_ID").asText());
            assertFalse(g.path("stop_grace_period").isMissingNode(), gateway + " has time to drain with 1012");
        }
        // chat-api answers its requests in flight for up to 15 s when stopped (quarkus.shutdown.timeout);
        // Docker's default of 10 s would kill it before
        String grace = compose.path("services").path("chat-api").path("stop_grace_period").asText("10s");
        assertTrue(Integer.parseInt(grace.replace("s", "")) > 15, "chat-api's stop_grace_period: " + grace);
    }

    @Test
    void topicsAreCreatedWithPartitionsAndRetentionStated() {
        String command = compose.path("services").path("kafka-topics").path("command").toString();
        assertTrue(Pattern.compile("chat\\.message-events --partitions \\d+").matcher(command).find(), command);
        assertTrue(command.contains("retention.ms=" + Repo.contractRetentionMs("messageEvents")),
                "message events kept as long as the AsyncAPI document says");
        assertTrue(Pattern.compile("chat\\.signals --partitions \\d+").matcher(command).find(), command);
        assertTrue(command.contains("retention.ms=" + Repo.contractRetentionMs("signals") + " "),
                "signals kept as long as the AsyncAPI document says");
        assertTrue(Pattern.compile("chat\\.tenant-events --partitions \\d+").matcher(command).find(), command);
        assertTrue(command.contains("retention.ms=" + Repo.contractRetentionMs("tenantEvents")),
                "tenant events kept as long as the AsyncAPI document says");
    }

    @Test
    void theEdgeLogsNoQueryStringsSoNoTokenReachesItsLog() {
        String nginx = Repo.read("deploy/compose/nginx.conf");
        Matcher format = Pattern.compile("log_format\\s+(\\w+)\\s+([^;]+);").matcher(nginx);
        assertTrue(format.find(), "a log format of its own (the default logs $request, query included)");
        assertFalse(format.group(2).contains("$request ") || format.group(2).contains("$request\"")
                || format.group(2).contains("$args") || format.group(2).contains("$query_string")
                || format.group(2).contains("$request_uri"), format.group(2));
        assertTrue(nginx.contains("access_log /dev/stdout " + format.group(1) + ";"), "and the access log uses it");
    }

    @Test
    void everyServiceThatMountsAKeyCanReadItAndNobodyElseCanReadThePrivateOnes(@TempDir Path copy)
            throws Exception {
        Path keys = Files.copy(Repo.ROOT.resolve("deploy/compose/keys.sh"), copy.resolve("keys.sh"));
        Repo.run(List.of("bash", keys.toString()));
        Path secrets = copy.resolve("secrets");
        String uid = Repo.run(List.of("id", "-u")).strip();
        for (String name : List.of("jwt-private-key.pem", "subscription-private-key.pem")) {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(secrets.resolve(name))),
                    name);
        }
        for (String name : List.of("jwt-public-key.pem", "subscription-public-key.pem")) {
            assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(secrets.resolve(name))),
                    name);
        }
        assertTrue(Files.readAllLines(copy.resolve(".env")).contains("PARLEY_UID=" + uid),
                "the services run as the keys' owner (Compose mounts file secrets with the host's owner and mode)");
        compose.path("services").forEach(service -> {
            if (service.has("secrets")) {
                assertEquals("${PARLEY_UID:-1001}:0", service.path("user").asText(), service.toString());
            }
        });
    }

    @Test
    void theImageBuildContextHoldsNoSecrets() {
        List<String> ignored = List.of(Repo.read(".dockerignore").split("\n"));
        assertTrue(ignored.contains("deploy/compose/secrets"), ignored.toString());
        assertTrue(ignored.contains("**/.env"), ignored.toString());
    }

    @Test
    void theEdgeUpgradesWebSocketsWithLongTimeoutsAndRoutesTheRemovedUrlsToLegacy() {
        String nginx = Repo.read("deploy/compose/nginx.conf");
        assertTrue(nginx.contains("proxy_set_header Upgrade $http_upgrade;"));
        assertTrue(nginx.contains("proxy_set_header Connection $connection_upgrade;"));
        assertTrue(nginx.contains("proxy_read_timeout 3600s;"));
        assertTrue(nginx.contains("proxy_buffering off;"), "SSE is not buffered");
        for (String path : Repo.gatewayPathsOfTheBrowserClient()) {
            // /admission too: without it a refused token looks like a network failure to the client
            assertTrue(Pattern.compile("location " + path + "/ \\{[^}]*proxy_pass http://gateways;").matcher(nginx).find(),
                    path + " is routed to the gateways");
        }
        // a request line as long as the gateways take (16 KiB): EventSource's token rides in the query
        Matcher buffers = Pattern.compile("large_client_header_buffers\\s+\\d+\\s+(\\d+)k;").matcher(nginx);
        assertTrue(buffers.find() && Integer.parseInt(buffers.group(1)) >= 16, "nginx's 8k default answers 414");
        assertFalse(Pattern.compile("(?m)^\\s*(ip_hash|sticky|hash)\\b").matcher(nginx).find(), "no sticky sessions needed");
        var legacy = Pattern.compile("location ~ (\\S+) \\{\\s*proxy_pass http://legacy;").matcher(nginx);
        assertTrue(legacy.find(), "a location for the removed URLs");
        Pattern removed = Pattern.compile(legacy.group(1));
        for (String path : List.of("/api/admin/escalations", "/api/admin/escalations/7", "/api/tenants/t1/supporters",
                "/api/tenants/t1/supporter-chat/x", "/api/chat/t1/session/s1/escalate")) {
            assertTrue(removed.matcher(path).find(), path + " goes to escalation-legacy");
        }
        for (String path : List.of("/api/tenants/t1/sessions", "/api/tenants/t1/sessions/s1/messages")) {
            assertFalse(removed.matcher(path).find(), path + " stays with chat-api");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"chat-api", "realtime-gateway", "escalation-legacy"})
    void eachServiceHasAJvmAndANativeImageBuiltInsideDockerRunningAsNonRootWithAHealthCheck(String service) {
        for (String kind : List.of("Dockerfile.jvm", "Dockerfile.native")) {
            String dockerfile = Repo.read(service + "/src/main/docker/" + kind);
            List<String> froms = dockerfile.lines().filter(l -> l.startsWith("FROM ")).toList();
            assertEquals(2, froms.size(), kind + " is multi-stage: build, then run");
            froms.forEach(f -> assertFalse(f.contains(":latest") || !f.split("\\s+")[1].contains(":"), "pinned: " + f));
            assertTrue(dockerfile.contains("-pl " + service + " -am"), kind + " builds " + service);
            assertTrue(Pattern.compile("(?m)^USER (185|1001)$").matcher(dockerfile).find(), kind + " runs as non-root");
            assertTrue(dockerfile.contains("HEALTHCHECK") && dockerfile.contains("/q/health/ready"), kind);
        }
        assertTrue(Repo.read(service + "/src/main/docker/Dockerfile.native").contains("mandrel-builder-image"),
                "native executables are built by Mandrel");
        assertTrue(Repo.read(service + "/pom.xml").contains("<id>native</id>"), service + " has a native profile");
    }
}
