package com.parley.deploy;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * What can be checked of the native images without GraalVM: Quarkus' native build steps
 * (reflection registration, build-time initialization, resources) run for every service with
 * {@code -Pnative -Dquarkus.native.sources-only=true} and write the native-image command.
 * Compiling it needs Mandrel, which the Dockerfile.native builder image has.
 */
class NativeBuildStepsTest {

    private static final List<String> SERVICES = List.of("chat-api", "realtime-gateway", "escalation-legacy");

    @Test
    void everyServicePassesQuarkusNativeBuildSteps() throws IOException {
        Instant started = Instant.now().minusSeconds(1);
        List<String> command = new ArrayList<>(List.of(Repo.ROOT.resolve("mvnw").toString(), "-B", "-q", "package",
                "-DskipTests", "-Pnative", "-Dquarkus.native.sources-only=true", "-pl", String.join(",", SERVICES),
                "-am"));
        if (Boolean.getBoolean("maven.offline") || "true".equals(System.getProperty("offline"))) {
            command.add("-o");
        }
        Repo.run(command);
        for (String service : SERVICES) {
            Path args = Repo.ROOT.resolve(service + "/target/native-sources/native-image.args");
            assertTrue(Files.isRegularFile(args), service + ": " + args + " written");
            FileTime written = Files.getLastModifiedTime(args);
            assertTrue(written.toInstant().isAfter(started), service + ": written by this run");
            String text = Files.readString(args);
            assertTrue(text.contains("--no-fallback"), service + ": a real native image, no JVM fallback");
            assertTrue(text.contains(service + "-1.0.0-SNAPSHOT-runner.jar"), service + ": the runner jar");
            assertTrue(Files.isRegularFile(args.resolveSibling(service + "-1.0.0-SNAPSHOT-runner.jar")));
        }
    }
}
