package com.parley.infra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;

/**
 * The Kafka contract as {@code docs/asyncapi.yaml} states it, checked by a JSON Schema validator
 * (networknt, draft 2020-12 with format assertions): a record's value against the payload schema
 * of its message (chosen by its {@code type}), its headers against the message's header schema.
 * Both sides use it: chat-api on what it emits, the gateway on what its tests produce and read.
 */
public final class EventContract {

    private static final String BASE = "https://parley.chat/asyncapi.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final JsonNode document;
    private final JsonSchemaFactory factory;
    private final SchemaValidatorsConfig config = SchemaValidatorsConfig.builder().formatAssertionsEnabled(true)
            .build();

    private EventContract(JsonNode document) {
        this.document = document;
        String json = document.toString();
        this.factory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012,
                builder -> builder.schemaLoaders(loaders -> loaders.schemas(Map.of(BASE, json))));
    }

    /** Reads {@code docs/asyncapi.yaml} of the repository that holds {@code start} (a module's directory). */
    public static EventContract load(Path start) {
        Path dir = start.toAbsolutePath().normalize();
        while (dir != null && !Files.exists(dir.resolve("docs/asyncapi.yaml"))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IllegalStateException("no docs/asyncapi.yaml above " + start);
        }
        try {
            return new EventContract(new YAMLMapper().readTree(dir.resolve("docs/asyncapi.yaml").toFile()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The message names of a channel ({@code messageEvents}): SessionCreated, MessageCreated, ... */
    public Set<String> messages(String channel) {
        List<String> names = new ArrayList<>();
        document.path("channels").path(channel).path("messages").fieldNames().forEachRemaining(names::add);
        return Set.copyOf(names);
    }

    /** The example payloads the document gives for a message. */
    public List<JsonNode> examples(String message) {
        List<JsonNode> examples = new ArrayList<>();
        document.path("components").path("messages").path(message).path("examples")
                .forEach(example -> examples.add(example.path("payload")));
        return examples;
    }

    /** The {@code retention.ms} the document states for a channel's topic, or -1. */
    public long retentionMs(String channel) {
        return document.path("channels").path(channel).path("bindings").path("kafka").path("topicConfiguration")
                .path("retention.ms").asLong(-1);
    }

    /**
     * What is wrong with a record of {@code chat.message-events}: empty when its value (JSON text)
     * and headers are what the contract says.
     */
    public List<String> violations(String value, Map<String, String> headers) {
        JsonNode event;
        try {
            event = JSON.readTree(value);
        } catch (IOException e) {
            return List.of("the value is not JSON: " + e.getMessage());
        }
        String type = event.path("type").asText("");
        boolean known = false;
        for (var channels = document.path("channels").fieldNames(); channels.hasNext();) {
            known |= messages(channels.next()).contains(type);
        }
        if (!known) {
            return List.of("no message '" + type + "' in the contract");
        }
        List<String> problems = new ArrayList<>(check(type, "payload", event));
        if (headers != null) {
            ObjectNode headerNode = JSON.createObjectNode();
            headers.forEach(headerNode::put);
            problems.addAll(check(type, "headers", headerNode));
        }
        return problems;
    }

    private List<String> check(String message, String part, JsonNode node) {
        // the headers are those of the message's trait (session events, tenant events)
        String trait = document.path("components").path("messages").path(message).path("traits").path(0)
                .path("$ref").asText("#/components/messageTraits/sessionEvent").substring(1);
        String pointer = "payload".equals(part) ? "/components/messages/" + message + "/payload" : trait + "/headers";
        JsonSchema schema = factory.getSchema(SchemaLocation.of(BASE + "#" + pointer), config);
        Set<ValidationMessage> messages = schema.validate(node);
        return messages.stream().map(m -> message + " " + part + ": " + m.getMessage()).sorted()
                .collect(Collectors.toList());
    }
}
