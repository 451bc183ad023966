package com.parley.chat.api;

import static com.parley.chat.api.Api.as;
import static com.parley.chat.api.Api.newSession;
import static com.parley.chat.api.Api.sessionsPath;
import static com.parley.chat.api.Api.token;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.parley.infra.ChatInfra;
import com.parley.infra.ChatInfraResource;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;

/**
 * An operator who closed their last dashboard: once no gateway has announced them on chat.signals
 * for {@code claims.release-when-offline} (3 s here), the open chats they hold go back to the queue,
 * released by {@code parley}, and so does one handed to them while they are gone; an operator still
 * announced, one never announced (REST only) and a chat that ended keep their holder, an
 * announcement of ids chat-api cannot store changes none of that, and an outage of Kafka releases
 * nothing.
 */
@QuarkusTest
@TestProfile(OperatorDeparturesTest.ShortAbsence.class)
@WithTestResource(ChatInfraResource.class)
class OperatorDeparturesTest {

    public static class ShortAbsence implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("parley.chat-api.claims.release-when-offline", "3S",
                    "parley.chat-api.claims.check-every", "500MS");
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String tenant = "t-" + UUID.randomUUID();
    /** The operators the two pretend gateways announce every 500 ms, as gateways do every 2 s. */
    private final Set<String> onGatewayA = ConcurrentHashMap.newKeySet();
    private final Set<String> onGatewayB = ConcurrentHashMap.newKeySet();
    private ScheduledExecutorService gateways;
    private KafkaProducer<String, String> producer;

    @BeforeEach
    void announce() {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, ChatInfra.get().kafka().bootstrapServers());
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 2000);
        producer = new KafkaProducer<>(props);
        gateways = Executors.newSingleThreadScheduledExecutor();
        gateways.scheduleAtFixedRate(() -> {
            publish("gw-a", onGatewayA);
            publish("gw-b", onGatewayB);
        }, 0, 500, TimeUnit.MILLISECONDS);
    }

    @AfterEach
    void stopAnnouncing() {
        gateways.shutdownNow();
        producer.close(Duration.ofSeconds(2));
    }

    /** An {@code operators} signal as a gateway sends it: every staff member connected to it. */
    private void publish(String instance, Set<String> operators) {
        var signal = JSON.createObjectNode().put("type", "operators").put("tenant_id", tenant)
                .put("session_id", "~operators").put("instance_id", instance);
        var list = signal.putArray("operators");
        operators.forEach(user -> list.addObject().put("user_id", user).put("status", "available")
                .put("changed_at", 0));
        try {
            producer.send(new ProducerRecord<>("chat.signals", tenant + ":~operators", signal.toString()));
        } catch (RuntimeException e) {
            // the broker is paused in one test: a gateway's announcement is lost then too
        }
    }

    private String session(String id) {
        return sessionsPath(tenant) + "/" + id;
    }

    private String claimedAs(String user) {
        String id = newSession(tenant, "customer-of-" + user + "-" + UUID.randomUUID());
        as(token(tenant, user, "supporter")).post(session(id) + "/claim").then().statusCode(200);
        return id;
    }

    private String holder(String id) {
        return as(token(tenant, "ann", "admin")).get(session(id)).then().statusCode(200).extract().path("claimed_by");
    }

    /** Waits up to {@code timeout} for the session to have no holder; the time it took. */
    private Duration awaitReleased(String id, Duration timeout) throws InterruptedException {
        long start = System.nanoTime();
        while (holder(id) != null) {
            if (System.nanoTime() - start > timeout.toNanos()) {
                throw new AssertionError("still held by " + holder(id) + " after " + timeout);
            }
            Thread.sleep(200);
        }
        return Duration.ofNanos(System.nanoTime() - start);
    }

    @Test
    void theOpenChatsOfAnOperatorNoGatewayAnnouncesAnyMoreGoBackToTheQueue() throws Exception {
        onGatewayA.add("sam");
        onGatewayB.add("bob");
        // what no gateway sends (it refuses such tokens) but the topic may carry: ids chat-api cannot
        // store are passed over, not a failure that stops every release
        onGatewayB.add("x".repeat(300));
        onGatewayB.add("nul\u0000inside");
        Thread.sleep(1000); // chat-api has heard both
        String samsChat = claimedAs("sam");
        String samsEndedChat = claimedAs("sam");
        as(token(tenant, "sam", "supporter")).body(Map.of("status", "resolved"))
                .patch(session(samsEndedChat)).then().statusCode(200);
        String bobsChat = claimedAs("bob");
        String carolsChat = claimedAs("carol"); // carol works through the REST API only: never announced

        onGatewayA.remove("sam"); // sam closed the dashboard
        awaitReleased(samsChat, Duration.ofSeconds(20));

        JsonPath history = as(token(tenant, "ann", "admin")).get(session(samsChat) + "/events").jsonPath();
        List<String> types = history.getList("events.type");
        assertEquals(List.of("SessionCreated", "SessionClaimed", "SessionReleased"), types);
        assertEquals("sam", history.getString("events[2].previous"));
        assertEquals("parley", history.getString("events[2].by"));
        assertEquals(3, history.getLong("events[2].seq"));

        String handedToSam = claimedAs("bob");
        as(token(tenant, "bob", "supporter")).body(Map.of("to_user_id", "sam")).post(session(handedToSam) + "/transfer")
                .then().statusCode(200);
        awaitReleased(handedToSam, Duration.ofSeconds(20)); // a chat handed to someone gone home would wait too

        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        double counted = metrics.lines().filter(line -> line.startsWith("parley_claims_released_on_departure_total"))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).sum();
        assertTrue(counted >= 2, "both releases counted: " + counted);

        Thread.sleep(2000); // more checks come and go
        assertEquals("bob", holder(bobsChat), "bob is still announced: his chat stays his");
        assertEquals("carol", holder(carolsChat), "an operator never announced keeps their chats");
        assertEquals("sam", holder(samsEndedChat), "a chat that ended keeps who handled it");
    }

    @Test
    void whileKafkaDoesNotAnswerNothingIsReleasedAndAfterItEveryoneHasTheirTimeAgain() throws Exception {
        onGatewayA.add("sam");
        Thread.sleep(1000);
        String samsChat = claimedAs("sam");
        onGatewayA.remove("sam"); // nobody announces anyone any more: silence, for 3 s and more

        ChatInfra.get().kafka().pause();
        try {
            Thread.sleep(7000); // more than the 3 s: were silence alone enough, sam's chat would go now
            assertEquals("sam", holder(samsChat), "released while Kafka did not answer");
        } finally {
            ChatInfra.get().kafka().resume();
        }
        Thread.sleep(1500);
        assertEquals("sam", holder(samsChat), "released at once after Kafka came back");
        Duration took = awaitReleased(samsChat, Duration.ofSeconds(40)); // chat-api reads the signals every 5 s
        assertNull(holder(samsChat));
        System.out.printf("sam's chat released %d ms after the check 1.5 s after Kafka came back%n", took.toMillis());
    }
}
