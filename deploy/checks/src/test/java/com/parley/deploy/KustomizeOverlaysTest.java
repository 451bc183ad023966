package com.parley.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.StreamSupport;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import com.fasterxml.jackson.databind.JsonNode;

/** Every overlay renders with kubectl kustomize, and what it renders is safe to run. */
class KustomizeOverlaysTest {

    static List<String> overlays() throws IOException {
        try (Stream<Path> dirs = Files.list(Repo.ROOT.resolve("deploy/k8s/overlays"))) {
            return dirs.filter(Files::isDirectory).map(d -> d.getFileName().toString()).sorted().toList();
        }
    }

    private static List<JsonNode> render(String overlay) {
        return Repo.documents(Repo.run(List.of("kubectl", "kustomize", "deploy/k8s/overlays/" + overlay)));
    }

    private static List<JsonNode> ofKind(List<JsonNode> docs, String kind) {
        return docs.stream().filter(d -> kind.equals(d.path("kind").asText())).toList();
    }

    private static JsonNode named(List<JsonNode> docs, String kind, String name) {
        return ofKind(docs, kind).stream().filter(d -> name.equals(d.path("metadata").path("name").asText()))
                .findFirst().orElseThrow(() -> new AssertionError("no " + kind + " " + name));
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void everyDeploymentHasProbesResourcesAPinnedImageAndRunsAsNonRoot(String overlay) {
        List<JsonNode> deployments = ofKind(render(overlay), "Deployment");
        assertEquals(List.of("chat-api", "escalation-legacy", "realtime-gateway"),
                deployments.stream().map(d -> d.path("metadata").path("name").asText()).sorted().toList());
        for (JsonNode deployment : deployments) {
            JsonNode pod = deployment.path("spec").path("template").path("spec");
            assertTrue(pod.path("securityContext").path("runAsNonRoot").asBoolean(), overlay + ": runAsNonRoot");
            for (JsonNode c : pod.path("containers")) {
                String where = overlay + "/" + c.path("name").asText();
                assertEquals("/q/health/ready", c.path("readinessProbe").path("httpGet").path("path").asText(), where);
                assertEquals("/q/health/live", c.path("livenessProbe").path("httpGet").path("path").asText(), where);
                assertFalse(c.path("resources").path("requests").path("cpu").isMissingNode(), where + ": cpu request");
                assertFalse(c.path("resources").path("limits").path("memory").isMissingNode(), where + ": memory limit");
                assertPinned(c.path("image").asText(), where);
                // a pod told to stop is still in the Service's endpoints for a moment: it keeps serving while
                // it leaves them, or a rolling restart refuses requests
                JsonNode preStop = c.path("lifecycle").path("preStop").path("exec").path("command");
                assertEquals("sleep", preStop.path(0).asText(), where + ": preStop");
                assertTrue(pod.path("terminationGracePeriodSeconds").asInt(30) > preStop.path(1).asInt() + 15,
                        where + ": the grace period covers the preStop sleep and chat-api's 15 s for requests in flight");
            }
        }
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void theGatewayDrainsWith1012BeforeItIsKilledAndScalesWithAnHpaAndPdb(String overlay) {
        List<JsonNode> docs = render(overlay);
        JsonNode gateway = named(docs, "Deployment", "realtime-gateway");
        JsonNode pod = gateway.path("spec").path("template").path("spec");
        JsonNode container = pod.path("containers").get(0);
        JsonNode preStop = container.path("lifecycle").path("preStop").path("exec").path("command");
        assertEquals("sleep", preStop.get(0).asText(), "preStop lets the pod leave the Service first");
        long preStopSeconds = preStop.get(1).asLong();
        Duration delay = env(docs, container, "QUARKUS_SHUTDOWN_DELAY");
        assertTrue(StreamSupport.stream(container.path("env").spliterator(), false)
                .noneMatch(e -> e.path("name").asText().equals("QUARKUS_SHUTDOWN_TIMEOUT")),
                "no shutdown timeout: Quarkus would wait all of it for WebSocket upgrades that never end");
        long grace = pod.path("terminationGracePeriodSeconds").asLong();
        long stopping = 10; // the gateway exits about 1.5 s after its drain (GatewayIT asserts under 10 s)
        assertTrue(grace > preStopSeconds + delay.toSeconds() + stopping,
                "grace period " + grace + " s must cover preStop, shutdown delay (1012) and the stop");
        assertEquals(0, gateway.path("spec").path("strategy").path("rollingUpdate").path("maxUnavailable").asInt());

        JsonNode hpa = named(docs, "HorizontalPodAutoscaler", "realtime-gateway");
        assertEquals("realtime-gateway", hpa.path("spec").path("scaleTargetRef").path("name").asText());
        assertTrue(hpa.path("spec").path("minReplicas").asInt() >= 2, "at least two gateways");
        JsonNode pdb = named(docs, "PodDisruptionBudget", "realtime-gateway");
        assertEquals("realtime-gateway",
                pdb.path("spec").path("selector").path("matchLabels").path("app.kubernetes.io/name").asText());
        assertEquals("None", named(docs, "Service", "realtime-gateway").path("spec").path("sessionAffinity").asText(),
                "no sticky sessions: clients resume on any instance");
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void theIngressRoutesSocketsWithLongTimeoutsAndTheRemovedUrlsToTheLegacyService(String overlay) {
        List<JsonNode> ingresses = ofKind(render(overlay), "Ingress");
        List<String> routes = new ArrayList<>();
        for (JsonNode ingress : ingresses) {
            for (JsonNode rule : ingress.path("spec").path("rules")) {
                for (JsonNode path : rule.path("http").path("paths")) {
                    routes.add(path.path("path").asText() + " -> " + path.path("backend").path("service").path("name").asText());
                }
            }
        }
        assertTrue(routes.contains("/api -> chat-api"), routes.toString());
        for (String path : Repo.gatewayPathsOfTheBrowserClient()) {
            // /admission too: without it a refused token looks like a network failure to the client
            assertTrue(routes.contains(path + " -> realtime-gateway"), path + " is routed to the gateways: " + routes);
        }
        assertTrue(routes.stream().anyMatch(r -> r.startsWith("/api/admin/escalations") && r.endsWith("escalation-legacy")));
        assertTrue(routes.stream().anyMatch(r -> r.contains("supporters") && r.endsWith("escalation-legacy")));
        assertTrue(routes.stream().anyMatch(r -> r.contains("escalate") && r.endsWith("escalation-legacy")));
        assertEquals("dev".equals(overlay), routes.contains("/demo -> realtime-gateway"),
                "the demo pages are published by the dev overlay only: " + routes);
        JsonNode main = ingresses.stream().filter(i -> i.path("metadata").path("name").asText().equals("parley"))
                .findFirst().orElseThrow();
        JsonNode annotations = main.path("metadata").path("annotations");
        assertTrue(annotations.path("nginx.ingress.kubernetes.io/proxy-read-timeout").asInt() >= 300,
                "sockets outlive the default 60 s read timeout");
        assertEquals("off", annotations.path("nginx.ingress.kubernetes.io/proxy-buffering").asText(), "SSE unbuffered");
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void kafkaAndPostgresAreTheOperatorsResourcesWithTheTopicsRetention(String overlay) {
        List<JsonNode> docs = render(overlay);
        named(docs, "Kafka", "parley");
        JsonNode events = named(docs, "KafkaTopic", "chat.message-events");
        JsonNode signals = named(docs, "KafkaTopic", "chat.signals");
        assertEquals(Repo.contractRetentionMs("messageEvents"),
                events.path("spec").path("config").path("retention.ms").asLong(), "as docs/asyncapi.yaml states");
        assertEquals(Repo.contractRetentionMs("signals"),
                signals.path("spec").path("config").path("retention.ms").asLong(), "as docs/asyncapi.yaml states");
        assertEquals(Repo.contractRetentionMs("tenantEvents"), named(docs, "KafkaTopic", "chat.tenant-events")
                .path("spec").path("config").path("retention.ms").asLong(), "as docs/asyncapi.yaml states");
        JsonNode db = named(docs, "Cluster", "parley-db");
        assertPinned(db.path("spec").path("imageName").asText(), "CloudNativePG image");
        assertTrue(db.path("spec").path("imageName").asText().contains(":17"), "PostgreSQL 17");
        JsonNode chatApi = named(docs, "Deployment", "chat-api").path("spec").path("template").path("spec")
                .path("containers").get(0);
        assertTrue(chatApi.path("env").toString().contains("parley-db-app"), "DB credentials from the operator's Secret");
        for (String name : List.of("chat-api", "realtime-gateway")) {
            JsonNode volumes = named(docs, "Deployment", name).path("spec").path("template").path("spec").path("volumes");
            assertTrue(volumes.toString().contains("parley-jwt"), name + " mounts the JWT public key Secret");
        }
        String chatApiVolumes = named(docs, "Deployment", "chat-api").path("spec").path("template").path("spec")
                .path("volumes").toString();
        String gatewayVolumes = named(docs, "Deployment", "realtime-gateway").path("spec").path("template")
                .path("spec").path("volumes").toString();
        assertTrue(chatApiVolumes.contains("parley-subscription-signing"), "chat-api signs subscription tokens");
        assertTrue(gatewayVolumes.contains("parley-subscription-verify"), "gateways verify them");
        assertFalse(gatewayVolumes.contains("parley-subscription-signing"), "a gateway never holds the signing key");
    }

    /**
     * Without a CPU limit the JVM counts the node's cores, and Quarkus would start two event loops
     * per core of the node (64 on a 32-core node for a pod that asked for one core): the fan-out
     * then costs one task per loop and event (1.4× the CPU per frame, docs/operations.md). The gateway
     * takes its event loops from the CPU its pod requests, so they follow the request in every overlay.
     */
    @ParameterizedTest
    @MethodSource("overlays")
    void theGatewaysEventLoopsFollowTheCpuItsPodRequestsNotTheNodesCores(String overlay) {
        JsonNode container = named(render(overlay), "Deployment", "realtime-gateway").path("spec").path("template")
                .path("spec").path("containers").get(0);
        JsonNode loops = StreamSupport.stream(container.path("env").spliterator(), false)
                .filter(e -> e.path("name").asText().equals("QUARKUS_VERTX_EVENT_LOOPS_POOL_SIZE")).findFirst()
                .orElseThrow(() -> new AssertionError(overlay + ": the gateway's event loops are not set"));
        JsonNode from = loops.path("valueFrom").path("resourceFieldRef");
        assertEquals("requests.cpu", from.path("resource").asText(), overlay + ": " + loops);
        assertEquals(container.path("name").asText(), from.path("containerName").asText(), overlay + ": " + loops);
        assertFalse(container.path("resources").path("requests").path("cpu").isMissingNode(),
                overlay + ": cpu request");
    }

    private static Duration env(List<JsonNode> docs, JsonNode container, String name) {
        for (JsonNode e : container.path("env")) {
            if (name.equals(e.path("name").asText())) {
                return Duration.parse("PT" + e.path("value").asText());
            }
        }
        throw new AssertionError(name + " not set on the gateway");
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void kafkaClientsAuthenticateAndMayDoOnlyTheirJobAndEveryComponentTakesTrafficOnlyFromItsPeers(String overlay) {
        List<JsonNode> docs = render(overlay);
        JsonNode listener = named(docs, "Kafka", "parley").path("spec").path("kafka").path("listeners").get(0);
        assertEquals("scram-sha-512", listener.path("authentication").path("type").asText(), "no anonymous client");
        assertEquals("simple", named(docs, "Kafka", "parley").path("spec").path("kafka").path("authorization")
                .path("type").asText(), "ACLs enforced");
        assertTrue(listener.path("networkPolicyPeers").toString().contains("chat-api")
                && listener.path("networkPolicyPeers").toString().contains("realtime-gateway"));
        JsonNode chatApi = named(docs, "KafkaUser", "chat-api");
        assertEquals(Set.of("Write", "Read", "Describe"), operations(chatApi, "chat.message-events"),
                "chat-api writes the session events and reads back their tail after a crash (PublishedTail)");
        assertEquals(Set.of("Write", "Describe"), operations(chatApi, "chat.tenant-events"));
        assertEquals(Set.of("Read", "Describe"), operations(chatApi, "chat.signals"),
                "chat-api reads which operators the gateways announce (OperatorDepartures), never writes a signal");
        assertFalse(chatApi.path("spec").path("authorization").toString().contains("\"group\""),
                "chat-api reads without a consumer group");
        JsonNode gateway = named(docs, "KafkaUser", "realtime-gateway");
        assertEquals(Set.of("Read", "Describe"), operations(gateway, "chat.message-events"),
                "gateways never write session events");
        assertEquals(Set.of("Read", "Describe"), operations(gateway, "chat.tenant-events"));
        for (String service : List.of("chat-api", "realtime-gateway")) {
            String env = named(docs, "Deployment", service).path("spec").path("template").path("spec")
                    .path("containers").get(0).path("env").toString();
            assertTrue(env.contains("KAFKA_SASL_JAAS_CONFIG") && env.contains("\"name\":\"" + service + "\""),
                    service + " logs in to Kafka as its own KafkaUser: " + env);
        }
        for (String policy : List.of("chat-api", "realtime-gateway", "escalation-legacy", "parley-db")) {
            JsonNode np = named(docs, "NetworkPolicy", policy);
            assertTrue(np.path("spec").path("ingress").size() > 0, policy + " admits only named peers");
        }
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void aServiceThatReadsTheEventsAndAnswersOverRestIsLetInByTwoLabels(String overlay) {
        // an AI assistant or analytics in the namespace: without a peer of its own, the Kafka listener's
        // and chat-api's NetworkPolicies drop its connections (docs/integrations.md)
        List<JsonNode> docs = render(overlay);
        JsonNode peers = named(docs, "Kafka", "parley").path("spec").path("kafka").path("listeners").get(0)
                .path("networkPolicyPeers");
        assertTrue(peers.toString().contains("{\"parley.chat/events-consumer\":\"true\"}"),
                "pods labelled parley.chat/events-consumer=true reach Kafka: " + peers);
        JsonNode from = named(docs, "NetworkPolicy", "chat-api").path("spec").path("ingress").get(0).path("from");
        assertTrue(from.toString().contains("{\"parley.chat/api-client\":\"true\"}"),
                "pods labelled parley.chat/api-client=true reach chat-api: " + from);
        assertFalse(named(docs, "NetworkPolicy", "realtime-gateway").toString().contains("parley.chat/"),
                "a backend service has nothing to do on the gateways");
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void theServicesAreScrapedAlertedOnAndShownOnADashboard(String overlay) throws IOException {
        List<JsonNode> docs = render(overlay);
        assertTrue(named(docs, "ServiceMonitor", "parley").path("spec").toString().contains("/q/metrics"));
        JsonNode rules = named(docs, "PrometheusRule", "parley").path("spec").path("groups").get(0).path("rules");
        assertTrue(rules.size() >= 5, rules.toString());
        for (JsonNode rule : rules) {
            String runbook = rule.path("annotations").path("runbook_url").asText();
            String anchor = runbook.substring(runbook.indexOf('#') + 1);
            assertTrue(headingAnchors("docs/operations.md").contains(anchor),
                    rule.path("alert") + " has a runbook: " + anchor);
        }
        JsonNode dashboard = named(docs, "ConfigMap", "parley-grafana-dashboard");
        assertEquals("1", dashboard.path("metadata").path("labels").path("grafana_dashboard").asText());
        JsonNode json = Repo.YAML.readTree(dashboard.path("data").path("parley-dashboard.json").asText());
        assertTrue(json.path("panels").size() >= 10, "a dashboard with its panels");
    }

    @org.junit.jupiter.api.Test
    void inProductionTheSitesThatEmbedTheWidgetAreAllowedByTheGatewaysAndByChatApiAndNoOtherSite() {
        JsonNode config = ofKind(render("production"), "ConfigMap").stream()
                .filter(d -> d.path("metadata").path("name").asText().startsWith("parley-config"))
                .findFirst().orElseThrow().path("data");
        String gateways = config.path("PARLEY_GATEWAY_ALLOWED_ORIGINS").asText();
        assertFalse(gateways.isBlank() || gateways.contains("*"), gateways);
        assertEquals(gateways, config.path("QUARKUS_HTTP_CORS_ORIGINS").asText());
    }

    /**
     * PostgreSQL is the only store of every session and message: in production it archives its WAL
     * continuously and takes a base backup every night to an object store that the backups name.
     */
    @org.junit.jupiter.api.Test
    void inProductionTheDatabaseIsBackedUpContinuouslyToAnObjectStore() {
        List<JsonNode> docs = render("production");
        JsonNode plugin = named(docs, "Cluster", "parley-db").path("spec").path("plugins").get(0);
        assertNotNull(plugin, "the Cluster names no backup plugin");
        assertEquals("barman-cloud.cloudnative-pg.io", plugin.path("name").asText());
        assertTrue(plugin.path("isWALArchiver").asBoolean(), "WAL archiving: a restore to any point in time");
        JsonNode store = named(docs, "ObjectStore", plugin.path("parameters").path("barmanObjectName").asText());
        assertFalse(store.path("spec").path("retentionPolicy").asText().isBlank(), "backups are kept for a time");
        assertTrue(store.path("spec").path("configuration").path("s3Credentials").toString()
                .contains("parley-db-backup"), "the object store's credentials come from a Secret");
        JsonNode nightly = ofKind(docs, "ScheduledBackup").getFirst().path("spec");
        assertEquals("parley-db", nightly.path("cluster").path("name").asText());
        assertEquals("plugin", nightly.path("method").asText());
        assertEquals("barman-cloud.cloudnative-pg.io", nightly.path("pluginConfiguration").path("name").asText());
        assertTrue(nightly.path("immediate").asBoolean(), "a base backup as soon as the cluster exists");
    }

    private static void assertPinned(String image, String where) {
        assertNotNull(image);
        int colon = image.lastIndexOf(':');
        assertTrue(colon > image.lastIndexOf('/'), where + ": image without a tag: " + image);
        String tag = image.substring(colon + 1);
        assertFalse(tag.isBlank() || tag.equals("latest"), where + ": image tag must be pinned: " + image);
    }

    /** The anchors GitHub gives a document's headings: lower case, punctuation dropped, spaces to hyphens. */
    private static List<String> headingAnchors(String path) throws IOException {
        return Repo.read(path).lines()
                .filter(line -> line.startsWith("#"))
                .map(line -> line.replaceFirst("^#+\\s*", "").toLowerCase(java.util.Locale.ROOT)
                        .replaceAll("[^a-z0-9 _-]", "").replace(' ', '-'))
                .toList();
    }

    /** The operations a KafkaUser's ACLs allow on a topic. */
    private static Set<String> operations(JsonNode user, String topic) {
        Set<String> operations = new java.util.TreeSet<>();
        for (JsonNode acl : user.path("spec").path("authorization").path("acls")) {
            if ("topic".equals(acl.path("resource").path("type").asText())
                    && topic.equals(acl.path("resource").path("name").asText())) {
                acl.path("operations").forEach(op -> operations.add(op.asText()));
            }
        }
        return operations;
    }
}
