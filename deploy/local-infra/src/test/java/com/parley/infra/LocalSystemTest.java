package com.parley.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@code deploy/local/start.sh} tells a new user whose machine already uses one of its ports. */
class LocalSystemTest {

    @TempDir
    Path repo;

    @Test
    void aPortInUseIsNamedBeforeAnythingStartsWithHowToChooseAnother() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), "-Dparley.local.chat-api-port=" + port,
                    LocalSystem.class.getName(), repo.toString()).redirectErrorStream(true).start();
            assertTrue(process.waitFor(60, TimeUnit.SECONDS), "the launcher gave up at once");
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

            assertEquals(1, process.exitValue(), output);
            assertTrue(output.contains("Port " + port + " (chat-api) is in use"), output);
            assertTrue(output.contains("-Dparley.local.chat-api-port="), output); // how to move it
            assertFalse(output.contains("Exception"), output);
            // nothing was started: no database created, no broker's log
            assertFalse(Files.exists(repo.resolve(".local/postgres")), listing());
            assertFalse(Files.exists(repo.resolve(".local/kafka")), listing());
        }
    }

    private String listing() throws IOException {
        try (var files = Files.walk(repo)) {
            return files.map(Path::toString).toList().toString();
        }
    }

}
