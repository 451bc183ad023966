package com.parley.chat.gateway;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs Node.js (the client's unit tests and the browser tests) in src/test/js, output to the build log. */
final class NodeRunner {

    static final Path JS = Path.of("src", "test", "js").toAbsolutePath();

    private NodeRunner() {
    }

    /** npm ci when playwright-core is not installed yet (a fresh clone). */
    static void installPackages() {
        if (!Files.isDirectory(JS.resolve("node_modules/playwright-core"))) {
            int exit = run(List.of("npm", "ci", "--no-audit", "--no-fund"), Map.of(), 300);
            if (exit != 0) {
                throw new AssertionError("npm ci failed in " + JS);
            }
        }
    }

    /** Runs node's test runner on the given files; returns its exit code. */
    static int test(Map<String, String> env, long timeoutSeconds, String... files) {
        List<String> command = new ArrayList<>(List.of("node", "--test", "--test-reporter=spec"));
        command.addAll(List.of(files));
        return run(command, env, timeoutSeconds);
    }

    /** Output goes to target/js-logs/ and is printed afterwards (the build log keeps it). */
    private static int run(List<String> command, Map<String, String> env, long timeoutSeconds) {
        try {
            Path log = Path.of("target", "js-logs", String.join("-", command).replaceAll("[^A-Za-z0-9.-]+", "_") + ".log");
            Files.createDirectories(log.getParent());
            ProcessBuilder pb = new ProcessBuilder(command).directory(JS.toFile()).redirectErrorStream(true)
                    .redirectOutput(log.toFile());
            pb.environment().putAll(env);
            Process p = pb.start();
            boolean finished = p.waitFor(timeoutSeconds, TimeUnit.SECONDS);
            if (!finished) {
                p.destroyForcibly().waitFor();
            }
            System.out.println(Files.readString(log));
            if (!finished) {
                throw new AssertionError(String.join(" ", command) + " did not finish in " + timeoutSeconds + " s");
            }
            return p.exitValue();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + command.getFirst() + " (Node.js 20 or newer is needed)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
