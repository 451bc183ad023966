package com.parley.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import com.parley.bench.Fleet.Conn;

/**
 * Scenario {@code write}: the write path under a rising rate. Messages are posted through chat-api
 * (REST → PostgreSQL → outbox → relay → Kafka → gateway → client) at each rate of
 * {@code bench.write-rates} for a step; per step: the rate chat-api answered, the POST's latency,
 * the end-to-end latency to a client, and the CPU per message of chat-api, PostgreSQL (postmaster
 * and backends), the broker and the gateway, each from /proc. Where p99 climbs is what chat-api,
 * its relay and PostgreSQL sustain on this machine.
 */
final class WriteScenario {

    private static final String POSTGRES = "postgres";
    private static final String BROKER = "com.parley.infra.kafka.KafkaBrokerMain";

    private final Deployment system;
    private final Report report;

    WriteScenario(Deployment system, Report report) {
        this.system = system;
        this.report = report;
    }

    void run(List<Integer> rates, int sessions, int seconds) throws Exception {
        System.out.printf("%n## Scenario write: messages posted through chat-api at rising rates, %d sessions, one"
                + " client each on gateway 1, %d s per step%n", sessions, seconds);
        String tenant = "bench-write-" + UUID.randomUUID();
        Deployment.Customers customers = system.customers(tenant, sessions);
        ProcessStats chatApi = new ProcessStats(system.chatApi.pid());
        ProcessStats gateway = new ProcessStats(system.gateway1.pid());
        try (Fleet fleet = new Fleet()) {
            List<Conn> conns = new ArrayList<>();
            for (int s = 0; s < sessions; s++) {
                conns.add(fleet.conn(tenant, customers.sessions().get(s), customers.tokens().get(s), 1));
            }
            Fleet.connectAll(conns, system.gateway1.port(), "/ws/", 50);
            Load.awaitConnected(conns);
            Map<String, AtomicLong> lastSeq = new ConcurrentHashMap<>();
            // warm-up (a fresh JVM compiles as it goes): the first step's rate for 30 s, not reported
            system.postAt(customers, rates.getFirst(), 30, lastSeq, new Recorder(3));
            Load.awaitCaughtUp(conns, lastSeq, 30);
            System.out.println("| target msg/s | answered msg/s | POST p50 ms | POST p99 ms | end-to-end p50 ms |"
                    + " p99 ms | max ms | failed | chat-api µs/msg | PostgreSQL µs/msg | broker µs/msg | gateway µs/msg |");
            System.out.println("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
            for (int rate : rates) {
                fleet.latencyMicros.reset();
                Recorder posts = new Recorder(3);
                double api0 = chatApi.cpuSeconds();
                double pg0 = ProcessStats.cpuSecondsOfAll(POSTGRES);
                double broker0 = ProcessStats.cpuSecondsOfAll(BROKER);
                double gw0 = gateway.cpuSeconds();
                long failed0 = system.failedPosts();
                long start = System.nanoTime();
                system.postAt(customers, rate, seconds, lastSeq, posts);
                double elapsed = (System.nanoTime() - start) / 1e9; // until the last answer
                Load.awaitCaughtUp(conns, lastSeq, 30);
                Histogram post = posts.getIntervalHistogram();
                Histogram e2e = fleet.latencyMicros.getIntervalHistogram();
                long messages = post.getTotalCount();
                System.out.printf("| %d | %.0f | %s | %s | %s | %s | %s | %d | %.0f | %.0f | %.0f | %.0f |%n", rate,
                        messages / elapsed, Report.ms(post, 50), Report.ms(post, 99), Report.ms(e2e, 50),
                        Report.ms(e2e, 99), Report.ms(e2e.getMaxValue()), system.failedPosts() - failed0,
                        perMessage(chatApi.cpuSeconds() - api0, messages),
                        perMessage(ProcessStats.cpuSecondsOfAll(POSTGRES) - pg0, messages),
                        perMessage(ProcessStats.cpuSecondsOfAll(BROKER) - broker0, messages),
                        perMessage(gateway.cpuSeconds() - gw0, messages));
            }
            Report.Delivery delivery = report.delivery(conns, lastSeq, 1);
            System.out.printf("lost %d, duplicated %d, out of order %d%n", delivery.lost(), delivery.duplicated(),
                    delivery.outOfOrder());
            conns.forEach(Conn::close);
        }
    }

    private static double perMessage(double cpuSeconds, long messages) {
        return messages == 0 ? 0 : cpuSeconds * 1e6 / messages;
    }
}
