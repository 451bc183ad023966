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

    private final Deployment system;
    private final Report report;

    WriteScenario(Deployment system, Report report) {
        this.system = system;
        this.report = report;
    }

    /**
     * @param warmupSteps steps at the first rate before the measured ones, each printed: how long a
     *        freshly started chat-api (and the rest) takes to reach its steady cost per message
     */
    void run(List<Integer> rates, int sessions, int seconds, int warmupSteps) throws Exception {
        System.out.printf("%n## Scenario write: messages posted through chat-api at rising rates, %d sessions, one"
                + " client each on gateway 1, %d s per step%n", sessions, seconds);
        String tenant = "bench-write-" + UUID.randomUUID();
        Deployment.Customers customers = system.customers(tenant, sessions);
        try (Fleet fleet = new Fleet()) {
            List<Conn> conns = new ArrayList<>();
            for (int s = 0; s < sessions; s++) {
                conns.add(fleet.conn(tenant, customers.sessions().get(s), customers.tokens().get(s), 1));
            }
            Fleet.connectAll(conns, system.gateway1.port(), "/ws/", 50);
            Load.awaitConnected(conns);
            Map<String, AtomicLong> lastSeq = new ConcurrentHashMap<>();
            Steps steps = new Steps(fleet, conns, customers, lastSeq, seconds);
            System.out.printf("%nWarm-up: the first rate, %d steps from the first message after start (a fresh JVM"
                    + " compiles as it goes; this is the time to steady state):%n%n", warmupSteps);
            steps.header("s since load began");
            for (int i = 1; i <= warmupSteps; i++) {
                steps.run(rates.getFirst(), Integer.toString(i * seconds));
            }
            steps.idle(rates);
            System.out.printf("%nRising rates:%n%n");
            steps.header("target msg/s");
            for (int rate : rates) {
                steps.run(rate, Integer.toString(rate));
            }
            Report.Delivery delivery = report.delivery(conns, lastSeq, 1);
            System.out.printf("lost %d, duplicated %d, out of order %d%n", delivery.lost(), delivery.duplicated(),
                    delivery.outOfOrder());
            conns.forEach(Conn::close);
        }
    }

    /** One table row per step: a rate held for the step, then its numbers. */
    private final class Steps {
        private final Fleet fleet;
        private final List<Conn> conns;
        private final Deployment.Customers customers;
        private final Map<String, AtomicLong> lastSeq;
        private final int seconds;
        private final ProcessStats chatApi = new ProcessStats(system.chatApi.pid());
        private final ProcessStats gateway = new ProcessStats(system.gateway1.pid());
        private final ProcessStats cdc = system.cdc == null ? null : new ProcessStats(system.cdc.pid());
        // where the end-to-end time goes: occurred_at (in the POST) → Kafka's acknowledgement to the
        // relay, and occurred_at → the frame written by gateway 1 (each service's own timer)
        private final ServerTimer relayTimer = new ServerTimer(system.chatApi, "parley_outbox_publish_latency_seconds");
        private final ServerTimer gatewayTimer = new ServerTimer(system.gateway1,
                "parley_gateway_delivery_latency_seconds");

        Steps(Fleet fleet, List<Conn> conns, Deployment.Customers customers, Map<String, AtomicLong> lastSeq,
                int seconds) {
            this.fleet = fleet;
            this.conns = conns;
            this.customers = customers;
            this.lastSeq = lastSeq;
            this.seconds = seconds;
        }

        void header(String first) {
            System.out.println("| " + first + " | answered msg/s | POST p50 ms | POST p99 ms | end-to-end p50 ms |"
                    + " p99 ms | max ms | relay p50 / p99 ms | gateway p50 / p99 ms | failed | chat-api µs/msg |"
                    + " PostgreSQL µs/msg | broker µs/msg | gateway µs/msg | Debezium µs/msg |");
            System.out.println("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
                    + " ---: | ---: | ---: |");
        }

        /**
         * A step with nothing posted, after the warm-up: each process' CPU while idle (timers, consumers'
         * fetches, the relay's wake-ups), the part of the CPU per message that does not depend on the
         * messages; printed also as µs per message at each rate.
         */
        void idle(List<Integer> rates) throws InterruptedException {
            double api0 = chatApi.cpuSeconds();
            double pg0 = ProcessStats.cpuSecondsOfAll(ProcessStats.POSTGRES);
            double broker0 = ProcessStats.cpuSecondsOfAll(ProcessStats.BROKER);
            double gw0 = gateway.cpuSeconds();
            long start = System.nanoTime();
            Thread.sleep(seconds * 1000L);
            double elapsed = (System.nanoTime() - start) / 1e9;
            double[] msPerSecond = {(chatApi.cpuSeconds() - api0) * 1000 / elapsed,
                    (ProcessStats.cpuSecondsOfAll(ProcessStats.POSTGRES) - pg0) * 1000 / elapsed,
                    (ProcessStats.cpuSecondsOfAll(ProcessStats.BROKER) - broker0) * 1000 / elapsed,
                    (gateway.cpuSeconds() - gw0) * 1000 / elapsed};
            System.out.printf("%nIdle for %d s (nothing posted, the clients connected): CPU ms per second: chat-api"
                    + " %.1f, PostgreSQL %.1f, broker %.1f, gateway %.1f%n", seconds, msPerSecond[0], msPerSecond[1],
                    msPerSecond[2], msPerSecond[3]);
            for (int rate : rates) {
                System.out.printf("  as µs per message at %d msg/s: chat-api %.0f, PostgreSQL %.0f, broker %.0f,"
                        + " gateway %.0f%n", rate, msPerSecond[0] * 1000 / rate, msPerSecond[1] * 1000 / rate,
                        msPerSecond[2] * 1000 / rate, msPerSecond[3] * 1000 / rate);
            }
        }

        void run(int rate, String label) throws Exception {
            fleet.latencyMicros.reset();
            Recorder posts = new Recorder(3);
            double api0 = chatApi.cpuSeconds();
            double pg0 = ProcessStats.cpuSecondsOfAll(ProcessStats.POSTGRES);
            double broker0 = ProcessStats.cpuSecondsOfAll(ProcessStats.BROKER);
            double gw0 = gateway.cpuSeconds();
            double cdc0 = cdc == null ? 0 : cdc.cpuSeconds();
            long failed0 = system.failedPosts();
            var relay0 = relayTimer.scrape();
            var gateway0 = gatewayTimer.scrape();
            long start = System.nanoTime();
            system.postAt(customers, rate, seconds, lastSeq, posts);
            double elapsed = (System.nanoTime() - start) / 1e9; // until the last answer
            Load.awaitCaughtUp(conns, lastSeq, 30);
            Histogram post = posts.getIntervalHistogram();
            Histogram e2e = fleet.latencyMicros.getIntervalHistogram();
            long messages = post.getTotalCount();
            var relay1 = relayTimer.scrape();
            var gateway1 = gatewayTimer.scrape();
            System.out.printf("| %s | %.0f | %s | %s | %s | %s | %s | %s / %s | %s / %s | %d | %.0f | %.0f | %.0f"
                    + " | %.0f | %s |%n",
                    label, messages / elapsed, Report.ms(post, 50), Report.ms(post, 99), Report.ms(e2e, 50),
                    Report.ms(e2e, 99), Report.ms(e2e.getMaxValue()), ServerTimer.ms(relay0, relay1, 50),
                    ServerTimer.ms(relay0, relay1, 99), ServerTimer.ms(gateway0, gateway1, 50),
                    ServerTimer.ms(gateway0, gateway1, 99), system.failedPosts() - failed0,
                    perMessage(chatApi.cpuSeconds() - api0, messages),
                    perMessage(ProcessStats.cpuSecondsOfAll(ProcessStats.POSTGRES) - pg0, messages),
                    perMessage(ProcessStats.cpuSecondsOfAll(ProcessStats.BROKER) - broker0, messages),
                    perMessage(gateway.cpuSeconds() - gw0, messages),
                    cdc == null ? "-" : String.format("%.0f", perMessage(cdc.cpuSeconds() - cdc0, messages)));
        }
    }

    private static double perMessage(double cpuSeconds, long messages) {
        return messages == 0 ? 0 : cpuSeconds * 1e6 / messages;
    }
}
