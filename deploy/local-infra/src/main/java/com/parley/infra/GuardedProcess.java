package com.parley.infra;

import java.util.function.IntConsumer;

/**
 * A child JVM with its watchdog (which kills it if this JVM dies first): stopped gracefully or
 * killed as a crash would, the watchdog released either way.
 */
final class GuardedProcess {

    final Process process;
    private final Process watchdog;
    private volatile boolean ended;

    GuardedProcess(Process process) {
        this.process = process;
        this.watchdog = ChildProcesses.guard(process.pid(), "KILL");
    }

    /** SIGTERM, then SIGKILL after {@code graceSeconds}. */
    void stop(long graceSeconds) {
        ended = true;
        ChildProcesses.stop(process, graceSeconds);
        ChildProcesses.release(watchdog);
    }

    /** SIGKILL: nothing is closed, as on a node failure. */
    void kill() {
        ended = true;
        ChildProcesses.kill(process);
        ChildProcesses.release(watchdog);
    }

    /** Calls {@code listener} with the exit code if the process ends without {@link #stop} or {@link #kill}. */
    void onUnexpectedExit(IntConsumer listener) {
        process.onExit().thenAccept(exited -> {
            if (!ended) {
                listener.accept(exited.exitValue());
            }
        });
    }
}
