package com.parley.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.HdrHistogram.Histogram;

import com.parley.bench.Fleet.Conn;

/**
 * Scenario {@code storm}: the instance holding every client is stopped under traffic; all
 * reconnect at once to the other one with their last seq; time to come back and to catch up; lost,
 * duplicated, out of order.
 */
final class StormScenario {

    private final Deployment system;
    private final Report report;
    /** Reconnect attempts to gateway 2 that failed (refused, reset, timed out) and were tried again. */
    private final AtomicInteger failedAttempts = new AtomicInteger();

    StormScenario(Deployment system, Report report) {
        this.system = system;
        this.report = report;
    }

    void run(int clients, int sessions, int rate) throws Exception {
        System.out.printf("%n## Scenario 3: reconnect storm (%d clients over %d sessions on gateway 1, %d msg/s through"
                + " chat-api; gateway 1 stopped, all move to gateway 2 with last_seq)%n", clients, sessions, rate);
        String tenant = "bench-storm-" + UUID.randomUUID();
        Deployment.Customers customers = system.customers(tenant, sessions);
        List<String> ids = customers.sessions();
        List<String> tokens = customers.tokens();
        boolean withTokens = !"false".equals(System.getProperty("bench.storm-subscription-tokens"));
        Map<String, AtomicLong> lastSeq = new ConcurrentHashMap<>();
        // one loopback source address per 10,000 clients (about 28,000 ports each)
        List<Fleet> fleets = new ArrayList<>();
        for (int f = 0; f * 10_000 < clients; f++) {
            fleets.add(new Fleet("127.0.0." + (10 + f)));
        }
        try {
            List<Conn> conns = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                Conn c = fleets.get(i / 10_000).conn(tenant, ids.get(i % sessions), tokens.get(i % sessions), 1);
                c.subscriptionToken = withTokens ? customers.subscriptionTokens().get(i % sessions) : null;
                conns.add(c);
            }
            // production instances are warm: both gateways open and close a first batch before the storm
            // (-Dbench.storm-warmup=0 measures a gateway 2 that never accepted a connection)
            int warmup = Integer.getInteger("bench.storm-warmup", 2000);
            for (int port : List.of(system.gateway1.port(), system.gateway2.port())) {
                List<Conn> warm = new ArrayList<>();
                for (int i = 0; i < warmup; i++) {
                    warm.add(fleets.get(0).conn(tenant, ids.get(i % sessions), tokens.get(i % sessions), 1));
                }
                Fleet.connectAll(warm, port, "/ws/", Integer.getInteger("bench.connect-parallel", 200));
                Load.awaitConnected(warm);
                warm.forEach(Conn::close);
                Thread.sleep(2000);
            }
            long connectStart = System.nanoTime();
            Fleet.connectAll(conns, system.gateway1.port(), "/ws/", Integer.getInteger("bench.connect-parallel", 200));
            Load.awaitConnected(conns);
            System.out.printf("%d clients connected to gateway 1 in %.1f s (subscription tokens: %s)%n", clients,
                    (System.nanoTime() - connectStart) / 1e9, withTokens);
            long chatApiGetsBefore = system.chatApiSessionGets();
            AtomicLong firstClose = new AtomicLong();
            Map<String, Long> seqAtDrain = new ConcurrentHashMap<>();
            for (Conn c : conns) {
                c.onClose = () -> {
                    if (c.closeCode == 1012 && c.port == system.gateway1.port()) {
                        if (firstClose.compareAndSet(0, System.nanoTime())) {
                            lastSeq.forEach((k, v) -> seqAtDrain.put(k, v.get()));
                        }
                        // as the browser client does: back within a jittered second, not all in one instant
                        long jitter = (long) (Math.random() * Integer.getInteger("bench.storm-jitter-ms", 1000));
                        CompletableFuture.delayedExecutor(jitter, TimeUnit.MILLISECONDS)
                                .execute(() -> reconnect(c, system.gateway2.port(), 20));
                    }
                };
            }
            // where the machine's time goes during the storm: each process' CPU from the stop to the end
            ProcessStats gateway2 = new ProcessStats(system.gateway2.pid());
            ProcessStats chatApi = new ProcessStats(system.chatApi.pid());
            ProcessStats loadGenerator = new ProcessStats(ProcessHandle.current().pid());
            AtomicReference<Cpu> cpuAtStop = new AtomicReference<>();
            AtomicLong stoppedAt = new AtomicLong();
            Thread stopper = Thread.ofPlatform().start(() -> {
                Load.sleep(5000);
                cpuAtStop.set(Cpu.now(gateway2, chatApi, loadGenerator));
                stoppedAt.set(System.nanoTime());
                system.gateway1.stop();
            });
            system.postAt(customers, rate, 12, lastSeq);
            stopper.join();
            long allReconnected = 0;
            long caughtUpToDrain = 0;
            long deadline = System.nanoTime() + 120_000_000_000L;
            while (System.nanoTime() < deadline && (allReconnected == 0 || caughtUpToDrain == 0)) {
                if (allReconnected == 0 && conns.stream().allMatch(c -> c.port == system.gateway2.port()
                        && c.connectedAt > 0)) {
                    allReconnected = conns.stream().mapToLong(c -> c.connectedAt).max().orElse(0);
                }
                if (caughtUpToDrain == 0 && !seqAtDrain.isEmpty() && conns.stream().allMatch(c -> c.port == system
                        .gateway2.port() && c.lastSeq() >= seqAtDrain.getOrDefault(c.session, 0L))) {
                    caughtUpToDrain = System.nanoTime();
                }
                Thread.sleep(10);
            }
            double stormSeconds = (System.nanoTime() - stoppedAt.get()) / 1e9;
            Cpu cpu = Cpu.now(gateway2, chatApi, loadGenerator).minus(cpuAtStop.get());
            long chatApiGets = system.chatApiSessionGets() - chatApiGetsBefore;
            Load.awaitCaughtUp(conns, lastSeq, 60);
            Report.Delivery delivery = report.delivery(conns, lastSeq, 1);
            long posted = lastSeq.values().stream().mapToLong(a -> a.get() - 1).sum();
            Histogram h = new Histogram(3);
            fleets.forEach(f -> h.add(f.latencyMicros.getIntervalHistogram()));
            System.out.println("| clients | messages | first 1012 → all reconnected | first 1012 → all caught up with"
                    + " what was sent before it | chat-api GETs on sessions meanwhile | p99 latency over the run"
                    + " | lost | duplicated | out of order |");
            System.out.println("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
            System.out.printf("| %d | %d | %s | %s | %d | %s ms | %d | %d | %d |%n", clients, posted,
                    allReconnected == 0 ? "not all" : String.format("%.2f s", (allReconnected - firstClose.get()) / 1e9),
                    caughtUpToDrain == 0 ? "not all" : String.format("%.2f s", (caughtUpToDrain - firstClose.get()) / 1e9),
                    chatApiGets, Report.ms(h, 99), delivery.lost(), delivery.duplicated(), delivery.outOfOrder());
            System.out.printf("reconnect attempts that failed and were tried again 200 ms later: %d%n",
                    failedAttempts.get());
            System.out.printf("CPU from the stop to all back and caught up (%.1f s; the machine has %d cores, %.1f"
                    + " CPU-seconds): gateway 2 %.1f s, chat-api %.1f s, PostgreSQL %.1f s, broker %.1f s, load"
                    + " generator %.1f s (gateway 1's drain not counted: its process is gone)%n", stormSeconds,
                    Runtime.getRuntime().availableProcessors(),
                    stormSeconds * Runtime.getRuntime().availableProcessors(), cpu.gateway2(), cpu.chatApi(),
                    cpu.postgres(), cpu.broker(), cpu.loadGenerator());
            conns.forEach(Conn::close);
        } finally {
            fleets.forEach(Fleet::close);
        }
    }

    /** CPU-seconds used so far by each process the storm involves (gateway 1 excepted: it is stopped). */
    private record Cpu(double gateway2, double chatApi, double postgres, double broker, double loadGenerator) {
        static Cpu now(ProcessStats gateway2, ProcessStats chatApi, ProcessStats loadGenerator) {
            return new Cpu(gateway2.cpuSeconds(), chatApi.cpuSeconds(),
                    ProcessStats.cpuSecondsOfAll(ProcessStats.POSTGRES), ProcessStats.cpuSecondsOfAll(ProcessStats.BROKER),
                    loadGenerator.cpuSeconds());
        }

        Cpu minus(Cpu before) {
            return new Cpu(gateway2 - before.gateway2, chatApi - before.chatApi, postgres - before.postgres,
                    broker - before.broker, loadGenerator - before.loadGenerator);
        }
    }

    /**
     * Connects again; a failed attempt is retried 200 ms later from a timer, never by sleeping in the
     * callback, which runs on one of the load generator's event loops and would hold up every other
     * client on it.
     */
    private void reconnect(Conn c, int port, int attempts) {
        c.connect(port, "/ws/").whenComplete((ok, failure) -> {
            if (failure != null) {
                failedAttempts.incrementAndGet();
                if (attempts > 0) {
                    CompletableFuture.delayedExecutor(200, TimeUnit.MILLISECONDS)
                            .execute(() -> reconnect(c, port, attempts - 1));
                }
            }
        });
    }
}
