package com.parley.infra;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;

/**
 * A real Apache Kafka broker (KRaft, single node) in a child JVM. Its classpath comes from the
 * {@code kafka-broker} module, so no broker jar reaches the JVM that starts it.
 */
public final class KafkaBroker implements AutoCloseable {

    private static final String MAIN = "com.parley.infra.kafka.KafkaBrokerMain";
    /**
     * The broker JVM's options; the default starts fast (C1 only) for tests and the local run, a
     * benchmark may want the full JIT: {@code -Dparley.kafka.jvm-options="-XX:+UseSerialGC -Xmx512m"}.
     */
    public static final String JVM_OPTIONS = "parley.kafka.jvm-options";
    private static final String DEFAULT_JVM_OPTIONS = "-XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xmx512m";
    private static final String READY = "KAFKA READY";

    private final int port;
    private final int controllerPort;
    private final Path dataDir;
    private final Path logFile;
    private GuardedProcess child;
    private volatile IntConsumer onUnexpectedExit = code -> {
    };

    public KafkaBroker(int port, int controllerPort, Path dataDir) {
        this.port = port;
        this.controllerPort = controllerPort;
        this.dataDir = dataDir;
        this.logFile = dataDir.resolve("broker.log");
    }

    public synchronized KafkaBroker start() {
        if (child != null && child.process.isAlive()) {
            return this;
        }
        try {
            Files.createDirectories(dataDir);
            List<String> command = new ArrayList<>(List.of(ChildProcesses.javaBinary()));
            command.addAll(List.of(System.getProperty(JVM_OPTIONS, DEFAULT_JVM_OPTIONS).trim().split("\\s+")));
            command.addAll(List.of("-Dlog4j2.configurationFile=kafka-broker-log4j2.xml",
                    "-cp", brokerClasspath(), MAIN,
                    Integer.toString(port), Integer.toString(controllerPort), dataDir.toString()));
            ProcessBuilder pb = new ProcessBuilder(command);
            pb.redirectError(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
            child = new GuardedProcess(pb.start());
            Process process = child.process;
            awaitReady(process.getInputStream());
            child.onUnexpectedExit(code -> onUnexpectedExit.accept(code));
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException("Kafka did not start; see " + logFile, e);
        }
    }

    private void awaitReady(InputStream stdout) {
        CompletableFuture<Boolean> ready = CompletableFuture.supplyAsync(() -> {
            try {
                BufferedReader reader = new BufferedReader(new InputStreamReader(stdout, StandardCharsets.UTF_8));
                String line;
                while ((line = reader.readLine()) != null) {
                    if (line.startsWith(READY)) {
                        return true;
                    }
                }
                return false;
            } catch (IOException e) {
                return false;
            }
        });
        try {
            if (!ready.get(120, TimeUnit.SECONDS)) {
                throw new IllegalStateException("Kafka exited before it was ready; see " + logFile);
            }
        } catch (Exception e) {
            stop();
            throw new IllegalStateException("Kafka did not become ready; see " + logFile, e);
        }
    }

    /** Calls {@code listener} with the exit code when the broker, once ready, ends without {@link #stop} or {@link #kill}. */
    public KafkaBroker onUnexpectedExit(IntConsumer listener) {
        onUnexpectedExit = listener;
        return this;
    }

    /** Stops the broker cleanly (controlled shutdown). */
    public synchronized void stop() {
        if (child != null) {
            child.stop(30);
            child = null;
        }
    }

    /** Kills the broker as a crash would. */
    public synchronized void kill() {
        if (child != null) {
            child.kill();
            child = null;
        }
    }

    /** Freezes the broker (SIGSTOP), as a broker that stops answering does, until {@link #resume()}. */
    public synchronized void pause() {
        ChildProcesses.signal("STOP", List.of(running().toHandle()));
    }

    /** Lets a {@link #pause() paused} broker go on where it stood. */
    public synchronized void resume() {
        ChildProcesses.signal("CONT", List.of(running().toHandle()));
    }

    private Process running() {
        if (child == null) {
            throw new IllegalStateException("the broker is not running");
        }
        return child.process;
    }

    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    @Override
    public void close() {
        stop();
    }

    static String brokerClasspath() throws IOException {
        URL resource = KafkaBroker.class.getClassLoader().getResource("kafka-broker.classpath");
        if (resource == null) {
            throw new IllegalStateException("kafka-broker.classpath not found: is com.parley:kafka-broker on the classpath?");
        }
        String own;
        String url = resource.toString();
        if (url.startsWith("jar:file:")) {
            own = Path.of(java.net.URI.create(url.substring(4, url.indexOf("!/")))).toString();
        } else {
            own = Path.of(java.net.URI.create(url)).getParent().toString();
        }
        try (InputStream in = resource.openStream()) {
            String deps = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
            return own + java.io.File.pathSeparator + deps;
        }
    }
}
