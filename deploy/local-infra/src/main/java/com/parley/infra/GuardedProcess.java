package com.parley.infra;

/**
 * A child JVM with its watchdog (which kills it if this JVM dies first): stopped gracefully or
 * killed as a crash would, the watchdog released either way.
 */
final class GuardedProcess {

    final Process process;
    private final Process watchdog;

    GuardedProcess(Process process) {
        this.process = process;
        this.watchdog = ChildProcesses.guard(process.pid(), "KILL");
    }

    /** SIGTERM, then SIGKILL after {@code graceSeconds}. */
    void stop(long graceSeconds) {
        ChildProcesses.stop(process, graceSeconds);
        ChildProcesses.release(watchdog);
    }

    /** SIGKILL: nothing is closed, as on a node failure. */
    void kill() {
        ChildProcesses.kill(process);
        ChildProcesses.release(watchdog);
    }
}
