package com.parley.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.parley.infra.ChildProcesses;

/** CPU time, resident memory and live heap of a child JVM, read from /proc and jcmd. */
final class ProcessStats {

    /** How the benchmark's PostgreSQL and Kafka broker processes are found ({@link #cpuSecondsOfAll}). */
    static final String POSTGRES = "postgres";
    static final String BROKER = "com.parley.infra.kafka.KafkaBrokerMain";

    private static final double CLOCK_TICKS = 100.0; // USER_HZ on Linux
    private static final Pattern HEAP_USED = Pattern.compile("total.*?used (\\d+)K");
    private static final Pattern HISTOGRAM_ROW = Pattern.compile("^\\s*\\d+:\\s+(\\d+)\\s+(\\d+)\\s+(\\S+)");

    private final long pid;

    ProcessStats(long pid) {
        this.pid = pid;
    }

    /**
     * CPU seconds used so far by every process whose command line starts with {@code start} (PostgreSQL's
     * postmaster and backends) or names {@code start} as its main class (the broker's JVM), with the
     * children they already reaped.
     */
    static double cpuSecondsOfAll(String start) {
        double total = 0;
        try (var procs = Files.list(Path.of("/proc"))) {
            for (Path proc : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
                try {
                    String cmdline = Files.readString(proc.resolve("cmdline")).replace('\0', ' ');
                    if (!cmdline.startsWith(start) && !cmdline.contains("/bin/" + start + " ")
                            && !cmdline.contains(" " + start + " ")) {
                        continue;
                    }
                    String stat = Files.readString(proc.resolve("stat"));
                    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    // utime, stime, cutime, cstime: fields 14 to 17 of stat
                    total += (Long.parseLong(fields[11]) + Long.parseLong(fields[12]) + Long.parseLong(fields[13])
                            + Long.parseLong(fields[14])) / CLOCK_TICKS;
                } catch (IOException gone) {
                    // the process ended meanwhile
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot list /proc", e);
        }
        return total;
    }

    /** User + system CPU seconds the process has used so far. */
    double cpuSeconds() {
        try {
            return userAndSystemSeconds(Files.readString(Path.of("/proc", Long.toString(pid), "stat")));
        } catch (IOException e) {
            throw new IllegalStateException("cannot read CPU time of " + pid, e);
        }
    }

    /** User + system CPU seconds in a /proc stat line (of a process or of one of its threads). */
    private static double userAndSystemSeconds(String stat) {
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        // after the command: state is field 3, utime field 14, stime field 15
        return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / CLOCK_TICKS;
    }

    /**
     * CPU seconds used so far by each group of the process' threads: threads named alike but for a
     * number (the event loops, the workers) count as one group. Names as Linux keeps them (15 characters).
     */
    Map<String, Double> cpuSecondsByThreadGroup() {
        Map<String, Double> groups = new HashMap<>();
        try (var tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path task : tasks.toList()) {
                try {
                    String name = Files.readString(task.resolve("comm")).strip().replaceAll("[-_ ]?\\d+$", "");
                    groups.merge(name, userAndSystemSeconds(Files.readString(task.resolve("stat"))), Double::sum);
                } catch (IOException gone) {
                    // the thread ended meanwhile
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot list the threads of " + pid, e);
        }
        return groups;
    }

    long rssBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read RSS of " + pid, e);
        }
        return -1;
    }

    /** Heap in use after a full GC: the live data (jcmd GC.run, then GC.heap_info). */
    long liveHeapBytes() {
        jcmd("GC.run");
        long used = 0;
        // the generations (Serial, Parallel) or the whole G1 heap; Metaspace has no "total"
        for (String line : jcmd("GC.heap_info").split("\n")) {
            Matcher m = HEAP_USED.matcher(line);
            if (m.find()) {
                used += Long.parseLong(m.group(1)) * 1024;
            }
        }
        return used;
    }

    /** Live objects by class after a full GC (jcmd GC.class_histogram): class name to {instances, bytes}. */
    Map<String, long[]> liveClasses() {
        Map<String, long[]> classes = new HashMap<>();
        for (String line : jcmd("GC.class_histogram").split("\n")) {
            Matcher m = HISTOGRAM_ROW.matcher(line);
            if (m.find()) {
                classes.put(m.group(3), new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2))});
            }
        }
        return classes;
    }

    /** Prints the classes whose live bytes grew most between two histograms, per unit (a connection). */
    static void printGrowth(String title, Map<String, long[]> before, Map<String, long[]> after, int units, int rows) {
        System.out.printf("%s: live objects per connection, largest growth first (instances, bytes)%n", title);
        long[] none = {0, 0};
        after.entrySet().stream()
                .map(e -> Map.entry(e.getKey(), new long[] {e.getValue()[0] - before.getOrDefault(e.getKey(), none)[0],
                        e.getValue()[1] - before.getOrDefault(e.getKey(), none)[1]}))
                .sorted(Comparator.comparingLong((Map.Entry<String, long[]> e) -> -e.getValue()[1]))
                .limit(rows)
                .forEach(e -> System.out.printf("  %8.2f %9.1f B  %s%n", e.getValue()[0] / (double) units,
                        e.getValue()[1] / (double) units, e.getKey()));
    }

    private String jcmd(String command) {
        String jcmd = ChildProcesses.javaBinary().replaceAll("java$", "jcmd");
        try {
            Process p = new ProcessBuilder(jcmd, Long.toString(pid), command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            p.waitFor();
            return out;
        } catch (IOException e) {
            throw new IllegalStateException("jcmd failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
