package com.parley.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

/** The repository this module lives in, and YAML read the way Kubernetes and compose read it. */
final class Repo {

    static final Path ROOT = Path.of("../..").toAbsolutePath().normalize();
    static final ObjectMapper YAML = new YAMLMapper();

    private Repo() {
    }

    static List<JsonNode> documents(String yaml) {
        try {
            List<JsonNode> docs = new ArrayList<>();
            var parser = new YAMLFactory().createParser(yaml);
            var it = YAML.readValues(parser, JsonNode.class);
            while (it.hasNext()) {
                JsonNode doc = it.next();
                if (doc != null && !doc.isNull() && !doc.isEmpty()) {
                    docs.add(doc);
                }
            }
            return docs;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The retention.ms that docs/asyncapi.yaml states for a channel's topic (its Kafka binding). */
    static long contractRetentionMs(String channel) {
        long retention = documents(read("docs/asyncapi.yaml")).getFirst().path("channels").path(channel)
                .path("bindings").path("kafka").path("topicConfiguration").path("retention.ms").asLong(-1);
        if (retention <= 0) {
            throw new AssertionError("docs/asyncapi.yaml states no retention.ms for " + channel);
        }
        return retention;
    }

    /**
     * The first path segment of every URL the browser client calls on a gateway ({@code /ws},
     * {@code /sse}, {@code /admission}), read from the client itself, and {@code /client} that serves
     * it: what an edge in front of the gateways must route to them.
     */
    static Set<String> gatewayPathsOfTheBrowserClient() {
        String client = read("realtime-gateway/src/main/resources/META-INF/resources/client/v1/parley-client.js");
        Matcher calls = Pattern.compile("(?:httpUrl|wsUrl)\\((?:this\\.)?gateway, `(/[a-z-]+)/").matcher(client);
        Set<String> paths = new TreeSet<>(Set.of("/client"));
        while (calls.find()) {
            paths.add(calls.group(1));
        }
        if (!paths.containsAll(Set.of("/ws", "/sse"))) {
            throw new AssertionError("the client's gateway URLs were not found: " + paths);
        }
        return paths;
    }

    static String read(String path) {
        try {
            return Files.readString(ROOT.resolve(path));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs a command in the repository; returns its standard output, fails on a non-zero exit. */
    static String run(List<String> command) {
        try {
            Process p = new ProcessBuilder(command).directory(ROOT.toFile()).redirectErrorStream(false).start();
            byte[] out = p.getInputStream().readAllBytes();
            String err = new String(p.getErrorStream().readAllBytes());
            if (p.waitFor() != 0) {
                throw new AssertionError(String.join(" ", command) + " failed: " + err);
            }
            return new String(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
