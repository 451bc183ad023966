package com.parley.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import com.parley.bench.Fleet.Conn;

/**
 * Scenario {@code e2e}: clients over sessions on both gateway instances, messages posted through
 * chat-api at a fixed rate; latency from the post to the frame on each instance; lost, duplicated,
 * out-of-order.
 */
final class EndToEndScenario {

    private final Deployment system;
    private final Report report;

    EndToEndScenario(Deployment system, Report report) {
        this.system = system;
        this.report = report;
    }

    void run(int clients, int sessions, int rate, int seconds) throws Exception {
        System.out.printf("%n## Scenario 1: end to end (%d clients over %d sessions, both instances, %d msg/s through"
                + " chat-api for %d s)%n", clients, sessions, rate, seconds);
        String tenant = "bench-e2e-" + UUID.randomUUID();
        Deployment.Customers customers = system.customers(tenant, sessions);
        List<String> ids = customers.sessions();
        List<String> tokens = customers.tokens();
        try (Fleet on1 = new Fleet(); Fleet on2 = new Fleet()) {
            List<Conn> conns1 = new ArrayList<>();
            List<Conn> conns2 = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                int s = i % sessions;
                (i % 2 == 0 ? conns1 : conns2).add((i % 2 == 0 ? on1 : on2).conn(tenant, ids.get(s), tokens.get(s), 1));
            }
            Fleet.connectAll(conns1, system.gateway1.port(), "/ws/", 50);
            Fleet.connectAll(conns2, system.gateway2.port(), "/ws/", 50);
            Load.awaitConnected(conns1);
            Load.awaitConnected(conns2);
            on1.latencyMicros.reset();
            on2.latencyMicros.reset();
            Map<String, AtomicLong> lastSeq = new ConcurrentHashMap<>();
            system.postAt(customers, rate, seconds, lastSeq);
            Load.awaitCaughtUp(conns1, lastSeq, 30);
            Load.awaitCaughtUp(conns2, lastSeq, 30);
            System.out.println("| clients on | frames | p50 ms | p90 ms | p99 ms | max ms | lost | duplicated | out of order |");
            System.out.println("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
            report.row("gateway 1", on1, conns1, lastSeq, 1);
            report.row("gateway 2", on2, conns2, lastSeq, 1);
            conns1.forEach(Conn::close);
            conns2.forEach(Conn::close);
        }
    }
}
