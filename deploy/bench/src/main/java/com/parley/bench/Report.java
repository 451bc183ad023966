package com.parley.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import org.HdrHistogram.Histogram;

import com.parley.bench.Fleet.Conn;

/**
 * What the benchmark prints (markdown tables) and the delivery errors it counts: a run with a lost,
 * duplicated or out-of-order event ends with a non-zero exit.
 */
final class Report {

    private int deliveryErrors;

    int deliveryErrors() {
        return deliveryErrors;
    }

    void deliveryErrors(long count) {
        deliveryErrors += (int) count;
    }

    /** What a set of clients missed, got twice or got out of order. */
    record Delivery(long lost, long duplicated, long outOfOrder) {
    }

    /**
     * Counts the clients' delivery errors against each session's last seq (events after
     * {@code startSeq}), adds them to the run's errors and names the first clients that had any.
     */
    Delivery delivery(List<Conn> conns, Map<String, AtomicLong> lastSeq, long startSeq) {
        long lost = 0;
        long dup = 0;
        long ooo = 0;
        for (Conn c : conns) {
            lost += c.lost(startSeq, lastSeq.getOrDefault(c.session, new AtomicLong()).get());
            dup += c.duplicates();
            ooo += c.outOfOrder();
        }
        deliveryErrors(lost + dup + ooo);
        explain(conns, lastSeq, startSeq);
        return new Delivery(lost, dup, ooo);
    }

    /** One line of clients: frames, latency percentiles, lost, duplicated, out of order. */
    void row(String name, Fleet fleet, List<Conn> conns, Map<String, AtomicLong> lastSeq, long startSeq) {
        Histogram h = fleet.latencyMicros.getIntervalHistogram();
        Delivery d = delivery(conns, lastSeq, startSeq);
        System.out.printf("| %s | %d | %s | %s | %s | %s | %d | %d | %d |%n", name, h.getTotalCount(), ms(h, 50),
                ms(h, 90), ms(h, 99), ms(h.getMaxValue()), d.lost(), d.duplicated(), d.outOfOrder());
    }

    /** Which clients missed what, so that a delivery error can be chased. */
    private static void explain(List<Conn> conns, Map<String, AtomicLong> lastSeq, long startSeq) {
        int shown = 0;
        for (Conn c : conns) {
            long last = lastSeq.getOrDefault(c.session, new AtomicLong()).get();
            long lost = c.lost(startSeq, last);
            if ((lost > 0 || c.duplicates() > 0 || c.outOfOrder() > 0) && shown++ < 5) {
                System.out.printf("  client of session %s on port %d: last seq %d of %d, lost %d, duplicated %d, out of"
                        + " order %d, close code %d%n", c.session, c.port, c.lastSeq(), last, lost, c.duplicates(),
                        c.outOfOrder(), c.closeCode);
            }
        }
    }

    static void printMachine() throws Exception {
        String cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                .findFirst().map(l -> l.substring(l.indexOf(':') + 2)).orElse("?");
        String mem = Files.readAllLines(Path.of("/proc/meminfo")).getFirst().replaceAll("\\s+", " ");
        System.out.printf("# Machine: %d CPUs (%s), %s, Java %s, %s%n", Runtime.getRuntime().availableProcessors(),
                cpu, mem, System.getProperty("java.version"), Instant.now());
        System.out.println("# Servers (gateway and bare reference): " + String.join(" ", Deployment.SERVER_JVM));
        System.out.println("# Kafka broker: " + System.getProperty("parley.kafka.jvm-options"));
    }

    static String ms(Histogram h, double percentile) {
        return ms(h.getValueAtPercentile(percentile));
    }

    static String ms(long micros) {
        return String.format("%.1f", micros / 1000.0);
    }

    static String kb(double bytes) {
        return String.format("%.1f KB", bytes / 1024);
    }
}
