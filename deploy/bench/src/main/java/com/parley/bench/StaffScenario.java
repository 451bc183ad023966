package com.parley.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

import org.HdrHistogram.Histogram;

import com.parley.bench.Fleet.Conn;
import com.parley.bench.Fleet.MultiConn;

/**
 * Scenario {@code staff}: staff members on multiplexed connections ({@code /ws/{tenant}}), each
 * following {@code perStaff} sessions on one socket; events produced straight to Kafka at a rising
 * rate; frames/s, latency, the gateway's CPU per delivered frame; lost, duplicated, out of order.
 */
final class StaffScenario {

    private final Deployment system;
    private final Report report;

    StaffScenario(Deployment system, Report report) {
        this.system = system;
        this.report = report;
    }

    void run(int staff, int perStaff, int sessions) throws Exception {
        List<Integer> rates = Bench.list("bench.rates", "5000,10000,20000").stream().map(Integer::parseInt).toList();
        int stepSeconds = Integer.getInteger("bench.step-seconds", 10);
        int followers = staff * perStaff / sessions;
        System.out.printf("%n## Scenario 4: multiplexed staff, %d staff connections each following %d of %d sessions"
                + " (%d followers per session), %d s per step%n", staff, perStaff, sessions, followers, stepSeconds);
        String tenant = "bench-staff-" + UUID.randomUUID();
        List<String> ids = system.customers(tenant, sessions).sessions();
        long[] seqs = new long[sessions];
        Arrays.fill(seqs, 1);
        ProcessStats stats = new ProcessStats(system.gateway1.pid());
        try (Fleet fleet = new Fleet("127.0.0.20"); Publisher publisher = new Publisher.Kafka(system, false)) {
            List<MultiConn> conns = new ArrayList<>();
            for (int i = 0; i < staff; i++) {
                List<String> mine = new ArrayList<>();
                for (int k = 0; k < perStaff; k++) {
                    mine.add(ids.get((i * perStaff + k) % sessions));
                }
                conns.add(fleet.multiConn(tenant, system.token(tenant, "staff-" + i, "supporter"), mine, 1));
            }
            long t0 = System.nanoTime();
            for (MultiConn c : conns) {
                c.connect(system.gateway1.port()).join();
            }
            long deadline = System.nanoTime() + 120_000_000_000L;
            while (conns.stream().anyMatch(c -> c.subscribed < perStaff) && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            System.out.printf("%d connections with %d subscriptions in %.1f s%n", staff, staff * perStaff,
                    (System.nanoTime() - t0) / 1e9);
            System.out.println("| target frames/s | delivered frames/s | p50 ms | p99 ms | max ms | gateway CPU µs/frame |");
            System.out.println("| ---: | ---: | ---: | ---: | ---: | ---: |");
            for (int rate : rates) {
                int eventsPerSecond = Math.max(1, rate / followers);
                fleet.latencyMicros.reset();
                long frames0 = fleet.frames.sum();
                double cpu0 = stats.cpuSeconds();
                long start = System.nanoTime();
                Load.pace(eventsPerSecond, stepSeconds, n -> {
                    int s = (int) (n % sessions);
                    publisher.publish(tenant, ids.get(s), ++seqs[s]);
                });
                publisher.flush();
                long expected = frames0 + (long) eventsPerSecond * stepSeconds * followers;
                long waitUntil = System.nanoTime() + 10_000_000_000L;
                while (fleet.frames.sum() < expected && System.nanoTime() < waitUntil) {
                    Thread.sleep(20);
                }
                double elapsed = (System.nanoTime() - start) / 1e9;
                long frames = fleet.frames.sum() - frames0;
                double cpu = stats.cpuSeconds() - cpu0;
                Histogram h = fleet.latencyMicros.getIntervalHistogram();
                System.out.printf("| %d | %.0f | %s | %s | %s | %.1f |%n", rate, frames / elapsed, Report.ms(h, 50),
                        Report.ms(h, 99), Report.ms(h.getMaxValue()), frames == 0 ? 0 : cpu * 1e6 / frames);
            }
            long lost = 0;
            long dup = 0;
            long ooo = 0;
            for (MultiConn c : conns) {
                for (Conn tracker : c.bySession.values()) {
                    lost += tracker.lost(1, seqs[ids.indexOf(tracker.session)]);
                    dup += tracker.duplicates();
                    ooo += tracker.outOfOrder();
                }
            }
            report.deliveryErrors(lost + dup + ooo);
            System.out.printf("staff: lost %d, duplicated %d, out of order %d%n", lost, dup, ooo);
        }
    }
}
