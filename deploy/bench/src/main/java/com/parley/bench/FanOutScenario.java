package com.parley.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;

import org.HdrHistogram.Histogram;

import com.parley.bench.Fleet.Conn;

/**
 * Scenario {@code fanout}: events produced straight to Kafka to N connections on one gateway
 * instance, rising rate; the same fan-out on the bare Vert.x server (and on a baseline build when
 * one is given); frames/s, latency, CPU per frame, heap and RSS per connection, and the gateway's
 * figures as ratios to the reference.
 */
final class FanOutScenario {

    /** The servers measured side by side. */
    enum Server {
        GATEWAY("gateway"), TRACED("gateway-traced"), BASELINE("baseline"), BARE("bare");

        final String label;

        Server(String label) {
            this.label = label;
        }
    }

    /** The load generator itself (this JVM): its CPU per connection opened says what the clients cost. */
    private static final ProcessStats LOAD_GENERATOR = new ProcessStats(ProcessHandle.current().pid());

    private final Deployment system;
    private final Report report;
    /** The Kafka hop measured alone while the gateways are measured, when asked for. */
    private KafkaHop hop;

    FanOutScenario(Deployment system, Report report) {
        this.system = system;
        this.report = report;
    }

    /** One server under the fan-out load: its clients, its sessions, its publisher and process. */
    private final class Target implements AutoCloseable {
        final Server server;
        final String name;
        final Fleet fleet;
        final List<Conn> conns = new ArrayList<>();
        final List<String> ids = new ArrayList<>();
        final long[] seqs;
        final ProcessStats stats;
        final Publisher publisher;
        final Result result = new Result();
        final String tenant;

        Target(Server server, int sessions, String localAddress) {
            this.server = server;
            this.name = server.label;
            this.fleet = new Fleet(localAddress);
            this.tenant = "bench-" + name + "-" + UUID.randomUUID();
            this.seqs = new long[sessions];
            Arrays.fill(seqs, 1);
            for (int i = 0; i < sessions; i++) {
                ids.add(server == Server.BARE ? UUID.randomUUID().toString()
                        : system.createSession(tenant, "customer-" + i));
            }
            stats = new ProcessStats(switch (server) {
                case GATEWAY -> system.gateway1.pid();
                case TRACED -> system.traced.pid();
                case BASELINE -> system.baseline.pid();
                case BARE -> system.bare.pid();
            });
            publisher = server == Server.BARE ? new Publisher.Bare(fleet, system.barePort)
                    : new Publisher.Kafka(system, server == Server.TRACED);
        }

        int port() {
            return switch (server) {
                case GATEWAY -> system.gateway1.port();
                case TRACED -> system.traced.port();
                case BASELINE -> system.baseline.port();
                case BARE -> system.barePort;
            };
        }

        void connect(int connections) throws InterruptedException {
            warmUp(Math.min(1000, connections));
            long heap0 = stats.liveHeapBytes();
            long rss0 = stats.rssBytes();
            boolean histogram = Boolean.getBoolean("bench.histogram");
            Map<String, long[]> classes0 = histogram ? stats.liveClasses() : Map.of();
            conns.addAll(batch(connections, fleet));
            Opened opened = open(conns);
            if (opened.refusals() > 0) {
                System.out.printf("%s: %d handshakes refused while connecting (tried again)%n", name,
                        opened.refusals());
            }
            Thread.sleep(3000);
            result.connectSeconds = opened.seconds();
            result.connectCpuMs = opened.serverCpuMs();
            result.heapPerConn = (stats.liveHeapBytes() - heap0) / (double) connections;
            result.rssPerConn = (stats.rssBytes() - rss0) / (double) connections;
            System.out.printf("%s: %d connections in %.1f s (CPU per connection: server %.3f ms, load generator %.3f ms);"
                    + " live heap %s/connection, RSS %s/connection%n", name, connections, opened.seconds(),
                    opened.serverCpuMs(), opened.clientCpuMs(), Report.kb(result.heapPerConn),
                    Report.kb(result.rssPerConn));
            if (histogram) {
                ProcessStats.printGrowth(name, classes0, stats.liveClasses(), connections, 40);
            }
        }



        /** Connects and closes a first batch, so that the measured connections meet a warm server (JIT). */
        private void warmUp(int count) throws InterruptedException {
            openAndClose(count, fleet);
        }

        /** Opens {@code count} connections from {@code from}, waits until all are admitted, closes them. */
        Opened openAndClose(int count, Fleet from) throws InterruptedException {
            List<Conn> batch = batch(count, from);
            Opened opened = open(batch);
            batch.forEach(Conn::close);
            // the next batch meets a server that has let these go
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (batch.stream().anyMatch(c -> c.closeCode == -1) && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            Thread.sleep(1000);
            return opened;
        }

        /** Clients over this server's sessions, not yet connected. */
        private List<Conn> batch(int count, Fleet from) {
            String token = server == Server.BARE ? null : system.token(tenant, "supporter-1", "supporter");
            List<Conn> batch = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                batch.add(from.conn(tenant, ids.get(i % ids.size()), token, 1));
            }
            return batch;
        }

        /** Connects the clients and waits until every one is admitted: time, and CPU per connection of both sides. */
        private Opened open(List<Conn> batch) {
            double serverCpu0 = stats.cpuSeconds();
            double clientCpu0 = LOAD_GENERATOR.cpuSeconds();
            long t0 = System.nanoTime();
            int refusals = Fleet.connectAll(batch, port(), "/ws/", Integer.getInteger("bench.connect-parallel", 200));
            if (server != Server.BARE) {
                Load.awaitConnected(batch);
            }
            return new Opened((System.nanoTime() - t0) / 1e9, (stats.cpuSeconds() - serverCpu0) * 1000 / batch.size(),
                    (LOAD_GENERATOR.cpuSeconds() - clientCpu0) * 1000 / batch.size(), refusals);
        }

        Step step(int framesPerSecond, int seconds) throws Exception {
            int perSession = conns.size() / ids.size();
            return FanOutScenario.this.step(fleet, stats, publisher, tenant, ids, seqs, framesPerSecond / perSession,
                    perSession, seconds);
        }

        /** The close codes and reasons of the connections the server closed, with their counts. */
        final Map<String, Integer> closes = new TreeMap<>();

        /** Lost, duplicated, out of order (open connections) and closed-by-server counts. */
        long[] delivery() {
            long[] counts = new long[4];
            closes.clear();
            for (Conn c : conns) {
                if (c.closeCode != -1) {
                    counts[3]++;
                    closes.merge(c.closeCode + (c.closeReason == null ? "" : " " + c.closeReason), 1, Integer::sum);
                    continue;
                }
                counts[0] += c.lost(1, seqs[ids.indexOf(c.session)]);
                counts[1] += c.duplicates();
                counts[2] += c.outOfOrder();
            }
            return counts;
        }

        private boolean closed;

        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            conns.forEach(Conn::close);
            publisher.close();
            fleet.close();
        }
    }

    /**
     * Every target holds its connections at the same time; each rate is run in rounds that
     * alternate the targets, each round starting with the next one, and the median of the rounds is
     * reported: the machine's noise and the first place's cost hit all targets alike.
     */
    void run(int connections, int sessions) throws Exception {
        List<Integer> rates = Bench.list("bench.rates", "5000,10000,20000,40000").stream().map(Integer::parseInt).toList();
        int stepSeconds = Integer.getInteger("bench.step-seconds", 10);
        int rounds = Integer.getInteger("bench.rounds", 3);
        System.out.printf("%n## Scenario 2: fan-out, %d connections over %d sessions (%d per session) per server,"
                + " %d s per step, median of %d rounds, each starting with the next server%n", connections, sessions,
                connections / sessions, stepSeconds, rounds);
        List<Server> servers = new ArrayList<>(List.of(Server.GATEWAY));
        if (system.traced != null) {
            servers.add(Server.TRACED);
        }
        if (system.baseline != null) {
            // one after the other, the first place costs more (an A/A run showed it): with
            // -Dbench.baseline-first=true the baseline takes it, so that both orders can be run
            servers.add(Boolean.getBoolean("bench.baseline-first") ? 0 : servers.size(), Server.BASELINE);
        }
        servers.add(Server.BARE);
        // all servers hold their connections at once when the file descriptor budget allows it
        // (about 20,000 here); beyond it they are measured one after the other
        boolean together = (long) connections * servers.size() <= Long.getLong("bench.max-client-sockets", 15_000);
        if (!together) {
            System.out.println("(" + connections * servers.size() + " client sockets exceed the budget: the servers are"
                    + " measured one after the other, rounds alternate within each)");
        }
        List<Target> targets = new ArrayList<>();
        if (Boolean.getBoolean("bench.kafka-probe")) {
            hop = new KafkaHop(system.infra.kafka().bootstrapServers(), "chat.message-events");
        }
        try {
            int connectRounds = Integer.getInteger("bench.connect-rounds", 0);
            if (connectRounds > 0) {
                List<Target> openers = new ArrayList<>();
                for (Server server : servers) {
                    openers.add(new Target(server, sessions, "127.0.0." + (2 + openers.size())));
                }
                try {
                    measureConnects(openers, connections, connectRounds);
                } finally {
                    openers.forEach(Target::close);
                }
                if (Boolean.getBoolean("bench.connect-only")) {
                    return;
                }
            }
            if (together) {
                for (Server server : servers) {
                    Target target = new Target(server, sessions, "127.0.0." + (2 + targets.size()));
                    targets.add(target);
                    target.connect(connections);
                }
                measure(targets, rates, stepSeconds, rounds);
            } else {
                for (Server server : servers) {
                    Target target = new Target(server, sessions, "127.0.0." + (2 + targets.size()));
                    targets.add(target);
                    target.connect(connections);
                    measure(List.of(target), rates, stepSeconds, rounds);
                    target.close();
                    Thread.sleep(2000);
                }
            }
        } finally {
            targets.forEach(Target::close);
            if (hop != null) {
                hop.close();
                hop = null;
            }
        }
        Map<Server, Result> results = new EnumMap<>(Server.class);
        targets.forEach(t -> results.put(t.server, t.result));
        printRatios("gateway / bare Vert.x", results.get(Server.GATEWAY), results.get(Server.BARE));
        if (results.containsKey(Server.TRACED)) {
            printRatios("gateway with tracing on / off (every event carries a sampled traceparent)",
                    results.get(Server.TRACED), results.get(Server.GATEWAY));
        }
        if (results.containsKey(Server.BASELINE)) {
            printRatios("gateway / baseline (the earlier build)", results.get(Server.GATEWAY),
                    results.get(Server.BASELINE));
        }
        Thread.sleep(2000);
    }

    /**
     * Opening connections, server against server: each round opens and closes every server's
     * connections in turn, each round starting with the next server, so that no server always
     * meets a cold load generator (the first place costs more: an A/A run showed it); medians.
     */
    private static void measureConnects(List<Target> targets, int connections, int rounds) throws Exception {
        System.out.printf("%n### Opening %d connections, %d rounds, the first place rotating (medians)%n",
                connections, rounds);
        // one round not counted: the servers' and the load generator's JIT (the first rounds cost
        // up to 4× the CPU per connection of the later ones)
        for (Target target : targets) {
            target.warmUp(connections);
        }
        Map<Target, List<Opened>> measured = new HashMap<>();
        for (int round = 0; round < rounds; round++) {
            for (int i = 0; i < targets.size(); i++) {
                Target target = targets.get((round + i) % targets.size());
                // from an address of its own: no port that a server still holds in TIME_WAIT
                Opened m;
                try (Fleet from = new Fleet("127.0." + (10 + round) + "." + (2 + targets.indexOf(target)))) {
                    m = target.openAndClose(connections, from);
                }
                System.out.printf("round %d, %s: %.2f s (CPU per connection: server %.3f ms, load generator %.3f ms)%n",
                        round + 1, target.name, m.seconds(), m.serverCpuMs(), m.clientCpuMs());
                measured.computeIfAbsent(target, t -> new ArrayList<>()).add(m);
            }
        }
        System.out.println("| server | seconds | connections/s | server CPU ms per connection"
                + " | load generator CPU ms per connection |");
        System.out.println("| --- | ---: | ---: | ---: | ---: |");
        Map<Server, double[]> medians = new EnumMap<>(Server.class);
        for (Target target : targets) {
            List<Opened> runs = measured.get(target);
            double[] m = {median(runs, Opened::seconds), median(runs, Opened::serverCpuMs),
                    median(runs, Opened::clientCpuMs)};
            medians.put(target.server, m);
            System.out.printf("| %s | %.2f | %.0f | %.3f | %.3f |%n", target.name, m[0], connections / m[0], m[1],
                    m[2]);
        }
        double[] bare = medians.get(Server.BARE);
        for (Map.Entry<Server, double[]> e : medians.entrySet()) {
            if (e.getKey() != Server.BARE) {
                System.out.printf("%s / bare: time to open %.2f×, server CPU per connection %.2f×%n",
                        e.getKey().label, e.getValue()[0] / bare[0], e.getValue()[1] / bare[1]);
            }
        }
        if (medians.containsKey(Server.BASELINE)) {
            double[] gateway = medians.get(Server.GATEWAY);
            double[] baseline = medians.get(Server.BASELINE);
            System.out.printf("gateway / baseline: time to open %.2f×, server CPU per connection %.2f×%n",
                    gateway[0] / baseline[0], gateway[1] / baseline[1]);
        }
    }

    /**
     * The targets in the order of one round: each round starts with the next one, so that over as
     * many rounds as there are targets each takes every place once (the first step of a round cost
     * about 20 % more CPU per frame whichever server took it, 2026-12-05: a fixed order favoured the
     * later servers).
     */
    private static List<Target> inTurn(List<Target> targets, int round) {
        List<Target> order = new ArrayList<>(targets.size());
        for (int i = 0; i < targets.size(); i++) {
            order.add(targets.get((round + i) % targets.size()));
        }
        return order;
    }

    /** The median of one figure over rounds (of steps, of connect passes). */
    private static <T> double median(List<T> rounds, ToDoubleFunction<T> figure) {
        double[] v = rounds.stream().mapToDouble(figure).sorted().toArray();
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    private void measure(List<Target> targets, List<Integer> rates, int stepSeconds, int rounds) throws Exception {
        // warm-up (JIT, producer metadata), not reported: bench.fanout-warmup-steps alternated rounds
        for (int round = 0; round < Integer.getInteger("bench.fanout-warmup-steps", 3); round++) {
            for (Target target : inTurn(targets, round)) {
                target.step(rates.getFirst(), stepSeconds);
            }
        }
        System.out.println("| server | target frames/s | delivered frames/s | p50 ms | p99 ms | max ms"
                + " | CPU µs/frame | server CPU % |" + (hop == null ? "" : " Kafka hop alone p50 / p99 ms |"));
        System.out.println("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |" + (hop == null ? "" : " ---: |"));
        for (int rate : rates) {
            Map<String, List<Step>> byTarget = new HashMap<>();
            for (int round = 0; round < rounds; round++) {
                for (Target target : inTurn(targets, round)) {
                    byTarget.computeIfAbsent(target.name, k -> new ArrayList<>()).add(target.step(rate, stepSeconds));
                }
            }
            boolean saturated = false;
            for (Target target : targets) {
                Step step = Step.median(byTarget.get(target.name));
                target.result.steps.put(rate, step);
                System.out.printf("| %s | %d | %.0f | %.1f | %.1f | %.1f | %.1f | %.0f |%s%n", target.name, rate,
                        step.framesPerSecond, step.p50 / 1000, step.p99 / 1000, step.max / 1000,
                        step.cpuMicrosPerFrame, step.cpuPercent, hop == null ? ""
                                : target.publisher instanceof Publisher.Kafka
                                        ? " %.1f / %.1f |".formatted(step.hopP50 / 1000, step.hopP99 / 1000)
                                        : " – |");
                saturated |= target.server != Server.BARE && (step.framesPerSecond < 0.9 * rate || step.p99 > 1_000_000);
            }
            if (saturated) {
                System.out.println("(a gateway saturated: higher rates not tried)");
                break;
            }
        }
        idle(targets);
        for (Target target : targets) {
            long[] d = target.delivery();
            report.deliveryErrors(d[0] + d[1] + d[2]);
            System.out.printf("%s: lost %d, duplicated %d, out of order %d; closed by the server %d%s%n", target.name,
                    d[0], d[1], d[2], d[3], target.closes.isEmpty() ? "" : " " + target.closes);
        }
    }

    /**
     * Each server's CPU while it holds its connections and nothing is published, after the steps
     * (warm: no compiling left): pings, liveness checks, timers, a chat server's usual state.
     * bench.idle-seconds (10), 0 to skip.
     */
    private static void idle(List<Target> targets) throws InterruptedException {
        int seconds = Integer.getInteger("bench.idle-seconds", 10);
        if (seconds <= 0) {
            return;
        }
        Thread.sleep(2000); // the last step's frames drained
        double[] cpu0 = targets.stream().mapToDouble(t -> t.stats.cpuSeconds()).toArray();
        List<Map<String, Double>> threads0 = targets.stream().map(t -> t.stats.cpuSecondsByThreadGroup()).toList();
        long t0 = System.nanoTime();
        Thread.sleep(seconds * 1000L);
        double elapsed = (System.nanoTime() - t0) / 1e9;
        for (int i = 0; i < targets.size(); i++) {
            Target target = targets.get(i);
            target.result.idleCpuMsPerSecond = (target.stats.cpuSeconds() - cpu0[i]) * 1000 / elapsed;
            System.out.printf("%s: idle with %d connections for %d s: %.1f ms of CPU per second (%.2f µs per"
                    + " connection per second)%n", target.name, target.conns.size(), seconds,
                    target.result.idleCpuMsPerSecond, target.result.idleCpuMsPerSecond * 1000 / target.conns.size());
            Map<String, Double> before = threads0.get(i);
            String byThread = target.stats.cpuSecondsByThreadGroup().entrySet().stream()
                    .map(e -> Map.entry(e.getKey(),
                            (e.getValue() - before.getOrDefault(e.getKey(), 0.0)) * 1000 / elapsed))
                    .filter(e -> e.getValue() >= 0.5)
                    .sorted(Map.Entry.comparingByValue(Comparator.reverseOrder()))
                    .map(e -> String.format("%s %.1f", e.getKey(), e.getValue()))
                    .collect(Collectors.joining(", "));
            System.out.printf("%s: idle CPU by thread, ms per second: %s%n", target.name,
                    byThread.isEmpty() ? "none" : byThread);
        }
    }

    private Step step(Fleet fleet, ProcessStats stats, Publisher publisher, String tenant, List<String> ids,
            long[] seqs, int eventsPerSecond, int perSession, int seconds) throws Exception {
        fleet.latencyMicros.reset();
        long frames0 = fleet.frames.sum();
        long expected = frames0 + (long) eventsPerSecond * seconds * perSession;
        boolean probed = hop != null && publisher instanceof Publisher.Kafka;
        if (probed) {
            hop.interval();
        }
        double cpu0 = stats.cpuSeconds();
        long t0 = System.nanoTime();
        Load.pace(eventsPerSecond, seconds, n -> {
            int s = (int) (n % ids.size());
            publisher.publish(tenant, ids.get(s), ++seqs[s]);
        });
        publisher.flush();
        long last = fleet.frames.sum();
        long lastChange = System.nanoTime();
        while (fleet.frames.sum() < expected && System.nanoTime() - lastChange < 3_000_000_000L) {
            Thread.sleep(50);
            long now = fleet.frames.sum();
            if (now != last) {
                last = now;
                lastChange = System.nanoTime();
            }
        }
        double elapsed = (lastChange - t0) / 1e9;
        double cpu = stats.cpuSeconds() - cpu0;
        long frames = fleet.frames.sum() - frames0;
        Step step = new Step();
        Histogram latency = fleet.latencyMicros.getIntervalHistogram();
        step.p50 = latency.getValueAtPercentile(50);
        step.p99 = latency.getValueAtPercentile(99);
        step.max = latency.getMaxValue();
        if (probed) {
            Histogram alone = hop.interval();
            step.hopP50 = alone.getValueAtPercentile(50);
            step.hopP99 = alone.getValueAtPercentile(99);
        }
        step.framesPerSecond = frames / elapsed;
        step.cpuMicrosPerFrame = frames == 0 ? 0 : cpu * 1e6 / frames;
        step.cpuPercent = 100 * cpu / elapsed;
        return step;
    }

    private static void printRatios(String title, Result gateway, Result bare) {
        System.out.println("\n### " + title + " (lower is better except frames/s)");
        System.out.println("| target frames/s | delivered frames/s | p50 | p99 | CPU per frame |");
        System.out.println("| ---: | ---: | ---: | ---: | ---: |");
        for (Map.Entry<Integer, Step> e : gateway.steps.entrySet().stream().sorted(Map.Entry.comparingByKey()).toList()) {
            Step b = bare.steps.get(e.getKey());
            if (b == null) {
                continue;
            }
            Step g = e.getValue();
            System.out.printf("| %d | %.2f | %.2f | %.2f | %.2f |%n", e.getKey(), g.framesPerSecond / b.framesPerSecond,
                    g.p50 / b.p50, g.p99 / b.p99, g.cpuMicrosPerFrame / b.cpuMicrosPerFrame);
        }
        System.out.printf("heap per connection: %.2f×, RSS per connection: %.2f×, time to open the connections: %.2f×,"
                + " server CPU per connection opened: %.2f×, idle CPU: %.2f×%n", gateway.heapPerConn / bare.heapPerConn,
                gateway.rssPerConn / bare.rssPerConn, gateway.connectSeconds / bare.connectSeconds,
                gateway.connectCpuMs / bare.connectCpuMs, gateway.idleCpuMsPerSecond / bare.idleCpuMsPerSecond);
    }

    private static final class Step {
        double p50;
        double p99;
        double max;
        double framesPerSecond;
        double cpuMicrosPerFrame;
        double cpuPercent;
        double hopP50;
        double hopP99;

        /** Each figure's median over the rounds. */
        static Step median(List<Step> rounds) {
            Step m = new Step();
            m.p50 = FanOutScenario.median(rounds, s -> s.p50);
            m.p99 = FanOutScenario.median(rounds, s -> s.p99);
            m.max = FanOutScenario.median(rounds, s -> s.max);
            m.framesPerSecond = FanOutScenario.median(rounds, s -> s.framesPerSecond);
            m.cpuMicrosPerFrame = FanOutScenario.median(rounds, s -> s.cpuMicrosPerFrame);
            m.cpuPercent = FanOutScenario.median(rounds, s -> s.cpuPercent);
            m.hopP50 = FanOutScenario.median(rounds, s -> s.hopP50);
            m.hopP99 = FanOutScenario.median(rounds, s -> s.hopP99);
            return m;
        }
    }

    /** Opening a batch of connections: seconds, server and load generator CPU ms per connection, refusals. */
    private record Opened(double seconds, double serverCpuMs, double clientCpuMs, int refusals) {
    }

    private static final class Result {
        final Map<Integer, Step> steps = new HashMap<>();
        double heapPerConn;
        double rssPerConn;
        double connectSeconds;
        double connectCpuMs;
        double idleCpuMsPerSecond;
    }
}
