package com.parley.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the local system learns, and says, when one of its parts ends without being stopped. */
class GuardedProcessTest {

    @TempDir
    Path dir;

    @Test
    void aChildKilledFromOutsideIsReportedWithItsExitCode() throws Exception {
        GuardedProcess child = new GuardedProcess(new ProcessBuilder("sleep", "60").start());
        CompletableFuture<Integer> exit = new CompletableFuture<>();
        child.onUnexpectedExit(exit::complete);

        child.process.destroyForcibly(); // as `kill -9 <pid>` or the kernel's OOM killer would

        assertEquals(137, exit.get(10, TimeUnit.SECONDS));
    }

    @Test
    void aChildStoppedOrKilledByTheSystemItselfIsNotReported() throws Exception {
        GuardedProcess stopped = new GuardedProcess(new ProcessBuilder("sleep", "60").start());
        GuardedProcess killed = new GuardedProcess(new ProcessBuilder("sleep", "60").start());
        CompletableFuture<Integer> exit = new CompletableFuture<>();
        stopped.onUnexpectedExit(exit::complete);
        killed.onUnexpectedExit(exit::complete);

        stopped.stop(5);
        killed.kill();

        assertFalse(stopped.process.isAlive());
        assertFalse(killed.process.isAlive());
        Thread.sleep(500); // onExit's callbacks run on another thread
        assertFalse(exit.isDone(), "reported: " + exit.getNow(null));
    }

    @Test
    void theReportSaysHowItEndedAndShowsTheEndOfItsLog() throws Exception {
        Path log = dir.resolve("realtime-gateway-gw-1.log");
        Files.write(log, IntStream.rangeClosed(1, 30).mapToObj(i -> "line " + i).toList(), StandardCharsets.UTF_8);
        Files.write(log, new byte[] {'b', 'a', 'd', ' ', (byte) 0xff, '\n'}, java.nio.file.StandardOpenOption.APPEND);

        String report = LocalSystem.exitReport("realtime-gateway-gw-1", 137, log);

        assertTrue(report.contains("realtime-gateway-gw-1 stopped on its own (exit code 137: signal 9, killed)"), report);
        assertTrue(report.contains("runs on without it"), report);
        assertTrue(report.contains(log.toString()), report);
        assertTrue(report.contains("  line 30\n") && report.contains("  line 22\n"), report);
        assertFalse(report.contains("line 21\n"), report); // only the last ten lines
        assertTrue(report.contains("  bad \uFFFD\n"), report); // a byte that is not UTF-8 does not hide the log
        assertTrue(report.contains("deploy/local/start.sh"), report);

        String noLog = LocalSystem.exitReport("chat-api", 1, dir.resolve("missing.log"));
        assertTrue(noLog.contains("chat-api stopped on its own (exit code 1)"), noLog);
        assertTrue(noLog.contains("Its log: " + dir.resolve("missing.log")), noLog);
    }
}
