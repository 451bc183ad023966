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
import java.util.function.Supplier;

import com.parley.bench.Fleet.Conn;

/**
 * Scenario {@code e2e}: clients over sessions on both gateway instances, messages posted through
 * chat-api at a fixed rate; latency from the post to the frame on each instance; lost, duplicated,
 * out-of-order. With {@code -Dbench.e2e-send=ws} the clients of gateway 1 send the messages over
 * their WebSockets instead ({@code message} frames, acknowledged after chat-api stored them): the path
 * a widget takes.
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
            for (int i = 0; i < clients; i++) { // each session's clients half on one gateway, half on the other
                int s = i % sessions;
                boolean first = (i / sessions) % 2 == 0;
                (first ? conns1 : conns2).add((first ? on1 : on2).conn(tenant, ids.get(s), tokens.get(s), 1));
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
            // and on the way in: gateway 1's posts to chat-api (sent → answered), chat-api's own time for them
            ServerTimer postTimer = new ServerTimer(system.gateway1, "parley_gateway_chatapi_requests_seconds",
                    "call=\"post\"");
            Supplier<Timers> scrape = () -> new Timers(relayTimer.scrape(), gatewayTimer.scrape(), postTimer.scrape(),
                    ServerTimer.countAndSum(system.chatApi, "http_server_requests_seconds", "method=\"POST\"",
                            "/messages\""));
            AtomicReference<Timers> before = new AtomicReference<>();
            Runnable measureFromHere = () -> {
                on1.latencyMicros.reset();
                on2.latencyMicros.reset();
                before.set(scrape.get());
            };
            measureFromHere.run();
            Map<String, AtomicLong> lastSeq = new ConcurrentHashMap<>();
            if (overSockets) {
                sendOverSockets(on1, conns1, rate, lastSeq, load -> warmThenMeasure(load, warmup, seconds, measureFromHere));
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
            Timers from = before.get();
            Timers to = scrape.get();
            System.out.printf("stored → relayed (chat-api's timer) p50 %s, p99 %s ms; stored → frame written by gateway 2"
                    + " (its timer) p50 %s, p99 %s ms%n", ServerTimer.ms(from.relay(), to.relay(), 50),
                    ServerTimer.ms(from.relay(), to.relay(), 99), ServerTimer.ms(from.gateway(), to.gateway(), 50),
                    ServerTimer.ms(from.gateway(), to.gateway(), 99));
            System.out.printf("before it is stored: posts of message frames by gateway 1, sent → answered (its timer)"
                    + " p50 %s, p99 %s ms; chat-api's own time for its POSTs of messages, mean %s ms%n",
                    ServerTimer.ms(from.posts(), to.posts(), 50), ServerTimer.ms(from.posts(), to.posts(), 99),
                    ServerTimer.meanMs(from.chatApiPosts(), to.chatApiPosts()));
            conns1.forEach(Conn::close);
            conns2.forEach(Conn::close);
        }
    }

    /**
     * The services' own timers at one moment (cumulative): chat-api's relay, gateway 2's delivery,
     * gateway 1's posts to chat-api (buckets by upper bound), chat-api's POSTs of messages (count, sum).
     */
    private record Timers(TreeMap<Double, Double> relay, TreeMap<Double, Double> gateway,
            TreeMap<Double, Double> posts, double[] chatApiPosts) {
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
     * {@code rate} messages a second as {@code message} frames, each with its due time, round-robin over
     * the clients of gateway 1 ({@code senders}, receivers too: the fan-out is the same as when the
     * messages are posted through chat-api; until 2026-12-07 the frames went over sockets of their own,
     * 25 per session, which gateway 1 had to send every message to as well, five times the fan-out of a
     * REST run). A socket's messages to its session are stored one after the other, in the order sent.
     * {@code lastSeq} keeps the highest seq each session's acks gave; refusals are counted. {@code run}
     * is handed the load (seconds → sending for that long).
     */
    private static void sendOverSockets(Fleet fleet, List<Conn> senders, int rate, Map<String, AtomicLong> lastSeq,
            Consumer<IntConsumer> run) throws InterruptedException {
        AtomicLong acked = new AtomicLong();
        AtomicLong refused = new AtomicLong();
        fleet.answers = (c, text) -> {
            if (text.startsWith("{\"type\":\"message_ack\"")) {
                lastSeq.computeIfAbsent(c.session, k -> new AtomicLong())
                        .accumulateAndGet(Fleet.number(text, "\"seq\":"), Math::max);
                acked.incrementAndGet();
            } else if (text.contains("\"client_message_id\"")) {
                refused.incrementAndGet();
            }
        };
        AtomicLong sent = new AtomicLong();
        IntConsumer send = duration -> Load.pace(rate, duration, (n, due) -> {
            long id = sent.getAndIncrement();
            senders.get((int) (id % senders.size())).socket.writeTextMessage("{\"type\":\"message\",\"content\":\""
                    + Fleet.MARK + due + "\",\"client_message_id\":\"b-" + id + "\"}");
        });
        run.accept(send);
        long total = sent.get();
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (acked.get() + refused.get() < total && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        System.out.printf("sent by the %d clients of gateway 1 (%.1f a second each): %d acknowledged, %d refused,"
                + " %d unanswered%n", senders.size(), (double) rate / senders.size(), acked.get(), refused.get(),
                total - acked.get() - refused.get());
    }
}
