package com.parley.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.IntConsumer;

import com.parley.bench.Fleet.Conn;

/**
 * Scenario {@code e2e}: clients over sessions on both gateway instances, messages posted through
 * chat-api at a fixed rate; latency from the post to the frame on each instance; lost, duplicated,
 * out-of-order. With {@code -Dbench.e2e-send=ws} the messages are sent over WebSockets to gateway 1
 * instead ({@code message} frames, acknowledged after chat-api stored them): the path a widget takes.
 */
final class EndToEndScenario {

    private final Deployment system;
    private final Report report;

    EndToEndScenario(Deployment system, Report report) {
        this.system = system;
        this.report = report;
    }

    void run(int clients, int sessions, int rate, int seconds) throws Exception {
        boolean overSockets = "ws".equals(System.getProperty("bench.e2e-send", "rest"));
        System.out.printf("%n## Scenario 1: end to end (%d clients over %d sessions, both instances, %d msg/s %s for"
                + " %d s)%n", clients, sessions, rate, overSockets ? "sent over WebSockets to gateway 1"
                        : "through chat-api", seconds);
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
            // -Dbench.e2e-warmup-seconds: the same load first, not counted (a fresh JVM compiles as it goes)
            int warmup = Integer.getInteger("bench.e2e-warmup-seconds", 0);
            // where the time goes: the event's occurred_at (taken in chat-api's post, as it is stored) → Kafka's
            // acknowledgement to the relay, and occurred_at → the frame written by gateway 2 (each service's timer)
            ServerTimer relayTimer = new ServerTimer(system.chatApi, "parley_outbox_publish_latency_seconds");
            ServerTimer gatewayTimer = new ServerTimer(system.gateway2, "parley_gateway_delivery_latency_seconds");
            AtomicReference<TreeMap<Double, Double>> relayBefore = new AtomicReference<>();
            AtomicReference<TreeMap<Double, Double>> gatewayBefore = new AtomicReference<>();
            Runnable measureFromHere = () -> {
                on1.latencyMicros.reset();
                on2.latencyMicros.reset();
                relayBefore.set(relayTimer.scrape());
                gatewayBefore.set(gatewayTimer.scrape());
            };
            measureFromHere.run();
            Map<String, AtomicLong> lastSeq = new ConcurrentHashMap<>();
            if (overSockets) {
                sendOverSockets(customers, rate, lastSeq, load -> warmThenMeasure(load, warmup, seconds, measureFromHere));
            } else {
                warmThenMeasure(duration -> system.postAt(customers, rate, duration, lastSeq), warmup, seconds,
                        measureFromHere);
            }
            Load.awaitCaughtUp(conns1, lastSeq, 30);
            Load.awaitCaughtUp(conns2, lastSeq, 30);
            System.out.println("| clients on | frames | p50 ms | p90 ms | p99 ms | max ms | lost | duplicated | out of order |");
            System.out.println("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
            report.row("gateway 1", on1, conns1, lastSeq, 1);
            report.row("gateway 2", on2, conns2, lastSeq, 1);
            var relayAfter = relayTimer.scrape();
            var gatewayAfter = gatewayTimer.scrape();
            System.out.printf("stored → relayed (chat-api's timer) p50 %s, p99 %s ms; stored → frame written by gateway 2"
                    + " (its timer) p50 %s, p99 %s ms%n", ServerTimer.ms(relayBefore.get(), relayAfter, 50),
                    ServerTimer.ms(relayBefore.get(), relayAfter, 99), ServerTimer.ms(gatewayBefore.get(), gatewayAfter, 50),
                    ServerTimer.ms(gatewayBefore.get(), gatewayAfter, 99));
            conns1.forEach(Conn::close);
            conns2.forEach(Conn::close);
        }
    }

    /** The load for {@code warmup} seconds (if any), uncounted, then for {@code seconds} measured. */
    private static void warmThenMeasure(IntConsumer load, int warmup, int seconds, Runnable measureFromHere) {
        if (warmup > 0) {
            load.accept(warmup);
            measureFromHere.run();
        }
        load.accept(seconds);
    }

    /**
     * {@code rate} messages a second as {@code message} frames, each with its send time, round-robin over
     * sender sockets of the sessions' customers on gateway 1 (sockets of their own, not counted as
     * receivers): as many per session as keep each at {@code bench.e2e-sender-rate} frames a second (1:
     * a person writing fast; a socket's messages are stored one after the other, in the order sent).
     * {@code lastSeq} keeps the highest seq each session's acks gave; refusals are counted. {@code run}
     * is handed the load (seconds → sending for that long) once the sockets are open.
     */
    private void sendOverSockets(Deployment.Customers customers, int rate, Map<String, AtomicLong> lastSeq,
            Consumer<IntConsumer> run) throws InterruptedException {
        List<String> ids = customers.sessions();
        double senderRate = Double.parseDouble(System.getProperty("bench.e2e-sender-rate", "1"));
        int perSession = Math.max(1, (int) Math.ceil(rate / (ids.size() * senderRate)));
        try (Fleet senders = new Fleet()) {
            AtomicLong acked = new AtomicLong();
            AtomicLong refused = new AtomicLong();
            senders.answers = (c, text) -> {
                if (text.startsWith("{\"type\":\"message_ack\"")) {
                    lastSeq.computeIfAbsent(c.session, k -> new AtomicLong())
                            .accumulateAndGet(Fleet.number(text, "\"seq\":"), Math::max);
                    acked.incrementAndGet();
                } else if (text.contains("\"client_message_id\"")) {
                    refused.incrementAndGet();
                }
            };
            List<Conn> sockets = new ArrayList<>();
            for (int k = 0; k < perSession; k++) {
                for (int s = 0; s < ids.size(); s++) {
                    sockets.add(senders.conn(customers.tenant(), ids.get(s), customers.tokens().get(s), 1));
                }
            }
            Fleet.connectAll(sockets, system.gateway1.port(), "/ws/", 50);
            Load.awaitConnected(sockets);
            AtomicLong sent = new AtomicLong();
            IntConsumer send = duration -> Load.pace(rate, duration, n -> {
                long id = sent.getAndIncrement();
                sockets.get((int) (id % sockets.size())).socket.writeTextMessage("{\"type\":\"message\",\"content\":\""
                        + Fleet.MARK + System.nanoTime() + "\",\"client_message_id\":\"b-" + id + "\"}");
            });
            run.accept(send);
            long total = sent.get();
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (acked.get() + refused.get() < total && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            System.out.printf("%d sender sockets (%d per session): %d acknowledged, %d refused, %d unanswered%n",
                    sockets.size(), perSession, acked.get(), refused.get(), total - acked.get() - refused.get());
            sockets.forEach(Conn::close);
        }
    }
}
