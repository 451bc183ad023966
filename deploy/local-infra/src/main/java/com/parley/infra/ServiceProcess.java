package com.parley.infra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.IntConsumer;

/**
 * A Quarkus service (its {@code quarkus-run.jar}) running in a child JVM, as the local system and
 * the multi-service integration tests start it. Configuration is passed as system properties.
 */
public final class ServiceProcess implements AutoCloseable {

    private final String name;
    private final Path jar;
    private final int port;
    private final Map<String, String> config;
    private final Path logFile;
    private final List<String> jvmOptions;
    private GuardedProcess child;
    private volatile IntConsumer onUnexpectedExit = code -> {
    };

    public ServiceProcess(String name, Path jar, int port, Map<String, String> config, Path logFile,
            List<String> jvmOptions) {
        this.name = name;
        this.jar = jar;
        this.port = port;
        this.config = new TreeMap<>(config);
        this.logFile = logFile;
        this.jvmOptions = List.copyOf(jvmOptions);
    }

    public ServiceProcess(String name, Path jar, int port, Map<String, String> config, Path logFile) {
        this(name, jar, port, config, logFile, List.of("-Xmx256m", "-XX:+UseSerialGC"));
    }

    /** Starts the service and waits until {@code /q/health/ready} answers 200. */
    public synchronized ServiceProcess start(Duration timeout) {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(name + ": " + jar + " does not exist; build it first (./mvnw package)");
        }
        List<String> command = new ArrayList<>();
        command.add(ChildProcesses.javaBinary());
        command.addAll(jvmOptions);
        command.add("-Dquarkus.http.port=" + port);
        command.add("-Dquarkus.http.host=127.0.0.1");
        config.forEach((k, v) -> command.add("-D" + k + "=" + v));
        command.add("-jar");
        command.add(jar.toString());
        try {
            Files.createDirectories(logFile.getParent());
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
            child = new GuardedProcess(pb.start());
        } catch (IOException e) {
            throw new UncheckedIOException(name + " did not start", e);
        }
        awaitReady(timeout);
        child.onUnexpectedExit(code -> onUnexpectedExit.accept(code));
        return this;
    }

    /**
     * Calls {@code listener} with the exit code when the service, once ready, ends without {@link #stop} or
     * {@link #kill} (a crash, an out-of-memory error, a signal from outside).
     */
    public ServiceProcess onUnexpectedExit(IntConsumer listener) {
        onUnexpectedExit = listener;
        return this;
    }

    private void awaitReady(Duration timeout) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl() + "/q/health/ready"))
                .timeout(Duration.ofSeconds(5)).build();
        long deadline = System.nanoTime() + timeout.toNanos();
        Process process = child.process;
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with " + process.exitValue() + "; see " + logFile);
            }
            try {
                if (http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            sleep(200);
        }
        throw new IllegalStateException(name + " was not ready within " + timeout + "; see " + logFile);
    }

    /** SIGTERM: the service shuts down gracefully, as in a rolling restart. */
    public synchronized void stop() {
        if (child != null) {
            child.stop(30);
            child = null;
        }
    }

    /** SIGKILL: the instance dies as on a node failure, closing nothing. */
    public synchronized void kill() {
        if (child != null) {
            child.kill();
            child = null;
        }
    }

    /** SIGSTOP: the service stops answering (a hung process), its connections open, until {@link #resume()}. */
    public synchronized void pause() {
        ChildProcesses.signal("STOP", List.of(child.process.toHandle()));
    }

    /** SIGCONT: a {@link #pause() paused} service goes on where it stood. */
    public synchronized void resume() {
        ChildProcesses.signal("CONT", List.of(child.process.toHandle()));
    }

    public long pid() {
        return child.process.pid();
    }

    public String name() {
        return name;
    }

    public int port() {
        return port;
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    public Path logFile() {
        return logFile;
    }

    @Override
    public void close() {
        stop();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
