package com.parley.infra;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Makes sure that processes started for tests or the local system never outlive this JVM, even
 * when it is killed with SIGKILL: a tiny shell watchdog reads a pipe from this JVM and signals
 * the child when the pipe closes.
 */
public final class ChildProcesses {

    private ChildProcesses() {
    }

    /** Starts a watchdog that sends {@code signal} to {@code pid} once this JVM is gone. */
    public static Process guard(long pid, String signal) {
        ProcessBuilder pb = new ProcessBuilder("sh", "-c",
                "cat >/dev/null; kill -" + signal + " " + pid + " 2>/dev/null");
        pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.redirectError(ProcessBuilder.Redirect.DISCARD);
        try {
            return pb.start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start watchdog for pid " + pid, e);
        }
    }

    /** Releases a watchdog without signalling: used when the child was stopped on purpose. */
    public static void release(Process watchdog) {
        if (watchdog == null) {
            return;
        }
        watchdog.destroy();
    }

    /** The java binary that runs this JVM, so children use the same JDK. */
    public static String javaBinary() {
        return ProcessHandle.current().info().command().orElse("java");
    }

    /** SIGKILL, as a crash would, and wait until the process is gone. */
    public static void kill(Process process) {
        if (process == null) {
            return;
        }
        process.destroyForcibly();
        try {
            process.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Closes a child's stdin and waits, then forces it down. */
    public static void stop(Process process, long graceSeconds) {
        if (process == null || !process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            OutputStream stdin = process.getOutputStream();
            stdin.close();
        } catch (IOException ignored) {
            // already closed
        }
        try {
            if (!process.waitFor(graceSeconds, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    /** Sends {@code signal} (STOP, CONT, …) to every one of {@code processes} with kill(1). */
    public static void signal(String signal, List<ProcessHandle> processes) {
        if (processes.isEmpty()) {
            return;
        }
        List<String> command = new ArrayList<>(List.of("kill", "-" + signal));
        processes.forEach(process -> command.add(Long.toString(process.pid())));
        try {
            int exit = new ProcessBuilder(command).inheritIO().start().waitFor();
            if (exit != 0) {
                throw new IllegalStateException(String.join(" ", command) + " exited with " + exit);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
