package com.parley.chat.gateway;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;

import org.junit.jupiter.api.DynamicTest;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.SAXException;

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

    /**
     * Runs node's test runner on the given files and returns each Node test as a JUnit dynamic test
     * of its own name (so the Maven reports list them one by one), plus one for the run's exit code.
     * The human-readable report goes to the build log.
     */
    static Stream<DynamicTest> test(Map<String, String> env, long timeoutSeconds, String... files) {
        Path junit = Path.of("target", "js-logs", String.join("-", files) + ".junit.xml").toAbsolutePath();
        List<String> command = new ArrayList<>(List.of("node", "--test", "--test-reporter=spec",
                "--test-reporter-destination=stdout", "--test-reporter=junit",
                "--test-reporter-destination=" + junit));
        command.addAll(List.of(files));
        try {
            Files.deleteIfExists(junit);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        int exit = run(command, env, timeoutSeconds);
        List<DynamicTest> tests = new ArrayList<>(cases(junit));
        String run = "node --test " + String.join(" ", files);
        tests.add(DynamicTest.dynamicTest(run + " exits 0 after " + (tests.size()) + " tests", () -> {
            if (exit != 0 || tests.size() <= 1) {
                throw new AssertionError(run + " exited " + exit + " with " + (tests.size() - 1) + " test cases");
            }
        }));
        return tests.stream();
    }

    /** The test cases of Node's JUnit report, each passing or failing as it did under Node. */
    private static List<DynamicTest> cases(Path junit) {
        if (!Files.exists(junit)) {
            return List.of();
        }
        try {
            // terminal colours (ESC) in a failure message are no XML character: a failing test must
            // still read as that failing test
            String xml = Files.readString(junit).replaceAll("[\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F]", "");
            Document report = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                    .parse(new org.xml.sax.InputSource(new java.io.StringReader(xml)));
            NodeList testcases = report.getElementsByTagName("testcase");
            List<DynamicTest> tests = new ArrayList<>();
            for (int i = 0; i < testcases.getLength(); i++) {
                Element testcase = (Element) testcases.item(i);
                NodeList failures = testcase.getElementsByTagName("failure");
                String failure = failures.getLength() == 0 ? null
                        : ((Element) failures.item(0)).getAttribute("message") + "\n"
                                + failures.item(0).getTextContent();
                boolean skipped = testcase.getElementsByTagName("skipped").getLength() > 0;
                tests.add(DynamicTest.dynamicTest(testcase.getAttribute("name"), () -> {
                    if (failure != null) {
                        throw new AssertionError(failure);
                    }
                    if (skipped) {
                        throw new AssertionError("skipped under Node: a skipped test is not a pass");
                    }
                }));
            }
            return tests;
        } catch (ParserConfigurationException | SAXException | IOException e) {
            throw new IllegalStateException("cannot read " + junit, e);
        }
    }

    /** Output goes to target/js-logs/ and is printed afterwards (the build log keeps it). */
    private static int run(List<String> command, Map<String, String> env, long timeoutSeconds) {
        try {
            Path log = Path.of("target", "js-logs", String.join("-", command).replaceAll("[^A-Za-z0-9.-]+", "_") + ".log");
            Files.createDirectories(log.getParent());
            ProcessBuilder pb = new ProcessBuilder(command).directory(JS.toFile()).redirectErrorStream(true)
                    .redirectOutput(log.toFile());
            pb.environment().putAll(env);
            pb.environment().put("NO_COLOR", "1");
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
