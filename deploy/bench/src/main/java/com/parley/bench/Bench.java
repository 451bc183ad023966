package com.parley.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;

import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

import com.parley.bench.Fleet.Conn;

import io.vertx.core.http.WebSocket;

/**
 * The realtime benchmark (docs/performance.md). Scenarios, in this order:
 * <ol>
 * <li>{@code e2e}: clients over sessions on both gateway instances, messages posted through chat-api
 * at a fixed rate; latency from the post to the frame on each instance; lost, duplicated,
 * out-of-order.</li>
 * <li>{@code fanout}: events produced straight to Kafka to N connections on one gateway instance,
 * rising rate; the same fan-out on the bare Vert.x server; frames/s, latency, CPU per frame,
 * heap and RSS per connection, and the gateway's figures as ratios to the reference.</li>
 * <li>{@code storm}: the instance holding every client is stopped under traffic; all reconnect at
 * once to the other one with their last seq; time to catch up; lost, duplicated.</li>
 * </ol>
 * Options ({@code -Dbench.x=...}): scenarios, sizes, sessions, rates (target frames/s),
 * step-seconds, e2e-clients, e2e-rate, storm-clients, storm-rate.
 */
public final class Bench {

    private final Deployment system;
    private int failures;

    private Bench(Deployment system) {
        this.system = system;
    }

    public static void main(String[] args) throws Exception {
        Path repo = Path.of(args.length > 0 ? args[0] : ".").toAbsolutePath().normalize();
        Path logs = repo.resolve("deploy/bench/target/logs");
        Files.createDirectories(logs);
        printMachine();
        List<String> scenarios = list("bench.scenarios", "e2e,fanout,storm");
        System.out.println("Starting PostgreSQL, Kafka, chat-api, two gateways and the bare server (logs in " + logs
                + ") ...");
        int failures;
        try (Deployment system = new Deployment(repo, logs)) {
            failures = run(system, scenarios);
        } catch (RuntimeException e) {
            e.printStackTrace();
            System.out.println("\nBENCH FAILED: " + e);
            System.exit(2);
            return;
        }
        System.out.println(failures == 0 ? "\nBENCH DONE" : "\nBENCH DONE WITH " + failures + " DELIVERY ERRORS");
        System.exit(failures == 0 ? 0 : 1);
    }

    private static int run(Deployment system, List<String> scenarios) throws Exception {
        {
            Bench bench = new Bench(system);
            if (scenarios.contains("e2e")) {
                bench.endToEnd(Integer.getInteger("bench.e2e-clients", 200), 20,
                        Integer.getInteger("bench.e2e-rate", 50), Integer.getInteger("bench.step-seconds", 10) * 2);
            }
            if (scenarios.contains("fanout")) {
                for (String size : list("bench.sizes", "2000,10000")) {
                    bench.fanOut(Integer.parseInt(size), Integer.getInteger("bench.sessions", 100));
                }
            }
            if (scenarios.contains("storm")) {
                bench.storm(Integer.getInteger("bench.storm-clients", 1000), 100,
                        Integer.getInteger("bench.storm-rate", 100));
            }
            return bench.failures;
        }
    }

    // ---------------------------------------------------------------- scenario 1: end to end

    private void endToEnd(int clients, int sessions, int rate, int seconds) throws Exception {
        System.out.printf("%n## Scenario 1: end to end (%d clients over %d sessions, both instances, %d msg/s through"
                + " chat-api for %d s)%n", clients, sessions, rate, seconds);
        String tenant = "bench-e2e-" + UUID.randomUUID();
        List<String> ids = new ArrayList<>();
        List<String> tokens = new ArrayList<>();
        for (int i = 0; i < sessions; i++) {
            ids.add(system.createSession(tenant, "customer-" + i));
            tokens.add(system.token(tenant, "customer-" + i, "user"));
        }
        try (Fleet on1 = new Fleet(); Fleet on2 = new Fleet()) {
            List<Conn> conns1 = new ArrayList<>();
            List<Conn> conns2 = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                int s = i % sessions;
                (i % 2 == 0 ? conns1 : conns2).add((i % 2 == 0 ? on1 : on2).conn(tenant, ids.get(s), tokens.get(s), 1));
            }
            Fleet.connectAll(conns1, system.gateway1.port(), "/ws/", 50);
            Fleet.connectAll(conns2, system.gateway2.port(), "/ws/", 50);
            awaitConnected(conns1);
            awaitConnected(conns2);
            on1.latencyMicros.reset();
            on2.latencyMicros.reset();
            Map<String, AtomicLong> lastSeq = new ConcurrentHashMap<>();
            pace(rate, seconds, n -> {
                int s = (int) (n % sessions);
                system.post(tenant, ids.get(s), tokens.get(s), Fleet.MARK + System.nanoTime())
                        .thenAccept(seq -> lastSeq.computeIfAbsent(ids.get(s), k -> new AtomicLong())
                                .accumulateAndGet(seq, Math::max));
            });
            awaitCaughtUp(conns1, lastSeq, 30);
            awaitCaughtUp(conns2, lastSeq, 30);
            System.out.println("| clients on | frames | p50 ms | p90 ms | p99 ms | max ms | lost | duplicated | out of order |");
            System.out.println("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
            row("gateway 1", on1, conns1, lastSeq, 1);
            row("gateway 2", on2, conns2, lastSeq, 1);
            conns1.forEach(Conn::close);
            conns2.forEach(Conn::close);
        }
    }

    private void row(String name, Fleet fleet, List<Conn> conns, Map<String, AtomicLong> lastSeq, long startSeq) {
        Histogram h = fleet.latencyMicros.getIntervalHistogram();
        long lost = 0;
        long dup = 0;
        long ooo = 0;
        for (Conn c : conns) {
            lost += c.lost(startSeq, lastSeq.getOrDefault(c.session, new AtomicLong()).get());
            dup += c.duplicates();
            ooo += c.outOfOrder();
        }
        failures += (int) (lost + dup + ooo);
        explain(conns, lastSeq, startSeq);
        System.out.printf("| %s | %d | %s | %s | %s | %s | %d | %d | %d |%n", name, h.getTotalCount(), ms(h, 50),
                ms(h, 90), ms(h, 99), ms(h.getMaxValue()), lost, dup, ooo);
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

    // ---------------------------------------------------------------- scenario 2: fan-out capacity

    /** One server under the fan-out load: its clients, its sessions, its publisher and process. */
    private final class Target implements AutoCloseable {
        final String name;
        final Fleet fleet;
        final List<Conn> conns = new ArrayList<>();
        final List<String> ids = new ArrayList<>();
        final long[] seqs;
        final ProcessStats stats;
        final Publisher publisher;
        final Result result = new Result();
        final String tenant;

        Target(String name, int sessions, String localAddress) {
            this.name = name;
            this.fleet = new Fleet(localAddress);
            this.tenant = "bench-" + name + "-" + UUID.randomUUID();
            this.seqs = new long[sessions];
            Arrays.fill(seqs, 1);
            for (int i = 0; i < sessions; i++) {
                ids.add(name.equals("bare") ? UUID.randomUUID().toString() : system.createSession(tenant, "customer-" + i));
            }
            stats = new ProcessStats(switch (name) {
                case "gateway" -> system.gateway1.pid();
                case "baseline" -> system.baseline.pid();
                default -> system.bare.pid();
            });
            publisher = name.equals("bare") ? new BarePublisher(fleet, system.barePort) : new KafkaPublisher(system);
        }

        int port() {
            return switch (name) {
                case "gateway" -> system.gateway1.port();
                case "baseline" -> system.baseline.port();
                default -> system.barePort;
            };
        }

        void connect(int connections) throws InterruptedException {
            long heap0 = stats.liveHeapBytes();
            long rss0 = stats.rssBytes();
            String token = name.equals("bare") ? null : system.token(tenant, "supporter-1", "supporter");
            for (int i = 0; i < connections; i++) {
                conns.add(fleet.conn(tenant, ids.get(i % ids.size()), token, 1));
            }
            long t0 = System.nanoTime();
            int refusals = Fleet.connectAll(conns, port(), "/ws/", Integer.getInteger("bench.connect-parallel", 200));
            if (!name.equals("bare")) {
                awaitConnected(conns);
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            if (refusals > 0) {
                System.out.printf("%s: %d handshakes refused while connecting (tried again)%n", name, refusals);
            }
            Thread.sleep(3000);
            result.heapPerConn = (stats.liveHeapBytes() - heap0) / (double) connections;
            result.rssPerConn = (stats.rssBytes() - rss0) / (double) connections;
            System.out.printf("%s: %d connections in %.1f s; live heap %s/connection, RSS %s/connection%n", name,
                    connections, seconds, kb(result.heapPerConn), kb(result.rssPerConn));
        }

        Step step(int framesPerSecond, int seconds) throws Exception {
            int perSession = conns.size() / ids.size();
            return Bench.this.step(fleet, stats, publisher, tenant, ids, seqs, framesPerSecond / perSession,
                    perSession, seconds);
        }

        /** Lost, duplicated, out of order (open connections) and closed-by-server counts. */
        long[] delivery() {
            long[] counts = new long[4];
            for (Conn c : conns) {
                if (c.closeCode != -1) {
                    counts[3]++;
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
     * alternate the targets, and the median of the rounds is reported: the machine's noise hits
     * all targets alike.
     */
    private void fanOut(int connections, int sessions) throws Exception {
        List<Integer> rates = list("bench.rates", "5000,10000,20000,40000").stream().map(Integer::parseInt).toList();
        int stepSeconds = Integer.getInteger("bench.step-seconds", 10);
        int rounds = Integer.getInteger("bench.rounds", 3);
        System.out.printf("%n## Scenario 2: fan-out, %d connections over %d sessions (%d per session) per server,"
                + " %d s per step, median of %d alternating rounds%n", connections, sessions, connections / sessions,
                stepSeconds, rounds);
        List<String> names = system.baseline == null ? List.of("gateway", "bare") : List.of("gateway", "baseline", "bare");
        // all servers hold their connections at once when the file descriptor budget allows it
        // (about 20,000 here); beyond it they are measured one after the other
        boolean together = (long) connections * names.size() <= Long.getLong("bench.max-client-sockets", 15_000);
        if (!together) {
            System.out.println("(" + connections * names.size() + " client sockets exceed the budget: the servers are"
                    + " measured one after the other, rounds alternate within each)");
        }
        List<Target> targets = new ArrayList<>();
        try {
            if (together) {
                for (String name : names) {
                    Target target = new Target(name, sessions, "127.0.0." + (2 + targets.size()));
                    targets.add(target);
                    target.connect(connections);
                }
                measure(targets, rates, stepSeconds, rounds);
            } else {
                for (String name : names) {
                    Target target = new Target(name, sessions, "127.0.0." + (2 + targets.size()));
                    targets.add(target);
                    target.connect(connections);
                    measure(List.of(target), rates, stepSeconds, rounds);
                    target.close();
                    Thread.sleep(2000);
                }
            }
        } finally {
            targets.forEach(Target::close);
        }
        Map<String, Result> results = new HashMap<>();
        targets.forEach(t -> results.put(t.name, t.result));
        printRatios("gateway / bare Vert.x", results.get("gateway"), results.get("bare"));
        if (results.containsKey("baseline")) {
            printRatios("gateway / baseline (the earlier build)", results.get("gateway"), results.get("baseline"));
        }
        Thread.sleep(2000);
    }

    private void measure(List<Target> targets, List<Integer> rates, int stepSeconds, int rounds) throws Exception {
        for (Target target : targets) {
            target.step(rates.getFirst(), stepSeconds); // warm-up (JIT, producer metadata), not reported
        }
        System.out.println("| server | target frames/s | delivered frames/s | p50 ms | p99 ms | max ms"
                + " | CPU µs/frame | server CPU % |");
        System.out.println("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        for (int rate : rates) {
            Map<String, List<Step>> byTarget = new HashMap<>();
            for (int round = 0; round < rounds; round++) {
                for (Target target : targets) {
                    byTarget.computeIfAbsent(target.name, k -> new ArrayList<>()).add(target.step(rate, stepSeconds));
                }
            }
            boolean saturated = false;
            for (Target target : targets) {
                Step step = Step.median(byTarget.get(target.name));
                target.result.steps.put(rate, step);
                System.out.printf("| %s | %d | %.0f | %.1f | %.1f | %.1f | %.1f | %.0f |%n", target.name, rate,
                        step.framesPerSecond, step.p50 / 1000, step.p99 / 1000, step.max / 1000,
                        step.cpuMicrosPerFrame, step.cpuPercent);
                saturated |= !target.name.equals("bare") && (step.framesPerSecond < 0.9 * rate || step.p99 > 1_000_000);
            }
            if (saturated) {
                System.out.println("(a gateway saturated: higher rates not tried)");
                break;
            }
        }
        for (Target target : targets) {
            long[] d = target.delivery();
            failures += (int) (d[0] + d[1] + d[2]);
            System.out.printf("%s: lost %d, duplicated %d, out of order %d; closed by the server %d%n", target.name,
                    d[0], d[1], d[2], d[3]);
        }
    }

    private Step step(Fleet fleet, ProcessStats stats, Publisher publisher, String tenant, List<String> ids,
            long[] seqs, int eventsPerSecond, int perSession, int seconds) throws Exception {
        fleet.latencyMicros.reset();
        long frames0 = fleet.frames.sum();
        long expected = frames0 + (long) eventsPerSecond * seconds * perSession;
        double cpu0 = stats.cpuSeconds();
        long t0 = System.nanoTime();
        pace(eventsPerSecond, seconds, n -> {
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
        System.out.printf("heap per connection: %.2f×, RSS per connection: %.2f×%n",
                gateway.heapPerConn / bare.heapPerConn, gateway.rssPerConn / bare.rssPerConn);
    }

    // ---------------------------------------------------------------- scenario 3: reconnect storm

    private void storm(int clients, int sessions, int rate) throws Exception {
        System.out.printf("%n## Scenario 3: reconnect storm (%d clients over %d sessions on gateway 1, %d msg/s through"
                + " chat-api; gateway 1 stopped, all move to gateway 2 with last_seq)%n", clients, sessions, rate);
        String tenant = "bench-storm-" + UUID.randomUUID();
        List<String> ids = new ArrayList<>();
        List<String> tokens = new ArrayList<>();
        for (int i = 0; i < sessions; i++) {
            ids.add(system.createSession(tenant, "customer-" + i));
            tokens.add(system.token(tenant, "customer-" + i, "user"));
        }
        Map<String, AtomicLong> lastSeq = new ConcurrentHashMap<>();
        try (Fleet fleet = new Fleet()) {
            List<Conn> conns = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                conns.add(fleet.conn(tenant, ids.get(i % sessions), tokens.get(i % sessions), 1));
            }
            Fleet.connectAll(conns, system.gateway1.port(), "/ws/", 100);
            awaitConnected(conns);
            AtomicLong firstClose = new AtomicLong();
            Map<String, Long> seqAtDrain = new ConcurrentHashMap<>();
            for (Conn c : conns) {
                c.onClose = () -> {
                    if (c.closeCode == 1012 && c.port == system.gateway1.port()) {
                        if (firstClose.compareAndSet(0, System.nanoTime())) {
                            lastSeq.forEach((k, v) -> seqAtDrain.put(k, v.get()));
                        }
                        reconnect(c, system.gateway2.port(), 20);
                    }
                };
            }
            Thread stopper = Thread.ofPlatform().start(() -> {
                sleep(5000);
                system.gateway1.stop();
            });
            pace(rate, 12, n -> {
                int s = (int) (n % sessions);
                system.post(tenant, ids.get(s), tokens.get(s), Fleet.MARK + System.nanoTime())
                        .thenAccept(seq -> lastSeq.computeIfAbsent(ids.get(s), k -> new AtomicLong())
                                .accumulateAndGet(seq, Math::max));
            });
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
            awaitCaughtUp(conns, lastSeq, 60);
            long lost = 0;
            long dup = 0;
            long ooo = 0;
            for (Conn c : conns) {
                lost += c.lost(1, lastSeq.getOrDefault(c.session, new AtomicLong()).get());
                dup += c.duplicates();
                ooo += c.outOfOrder();
            }
            failures += (int) (lost + dup + ooo);
            long posted = lastSeq.values().stream().mapToLong(a -> a.get() - 1).sum();
            Histogram h = fleet.latencyMicros.getIntervalHistogram();
            System.out.println("| clients | messages | first 1012 → all reconnected | first 1012 → all caught up with"
                    + " what was sent before it | p99 latency over the run | lost | duplicated | out of order |");
            System.out.println("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
            System.out.printf("| %d | %d | %s | %s | %s ms | %d | %d | %d |%n", clients, posted,
                    allReconnected == 0 ? "not all" : String.format("%.2f s", (allReconnected - firstClose.get()) / 1e9),
                    caughtUpToDrain == 0 ? "not all" : String.format("%.2f s", (caughtUpToDrain - firstClose.get()) / 1e9),
                    ms(h, 99), lost, dup, ooo);
            conns.forEach(Conn::close);
        }
    }

    private static void reconnect(Conn c, int port, int attempts) {
        c.connect(port, "/ws/").whenComplete((ok, failure) -> {
            if (failure != null && attempts > 0) {
                sleep(200);
                reconnect(c, port, attempts - 1);
            }
        });
    }

    // ---------------------------------------------------------------- helpers

    interface Publisher extends AutoCloseable {
        void publish(String tenant, String session, long seq);

        void flush();

        @Override
        void close();
    }

    /** Events as chat-api's outbox writes them, straight to chat.message-events. */
    static final class KafkaPublisher implements Publisher {
        private final KafkaProducer<String, String> producer;

        KafkaPublisher(Deployment system) {
            Properties props = new Properties();
            props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, system.infra.kafka().bootstrapServers());
            props.put(ProducerConfig.ACKS_CONFIG, "1");
            props.put(ProducerConfig.LINGER_MS_CONFIG, "1");
            producer = new KafkaProducer<>(props, new StringSerializer(), new StringSerializer());
        }

        @Override
        public void publish(String tenant, String session, long seq) {
            producer.send(new ProducerRecord<>("chat.message-events", tenant + ":" + session,
                    event(tenant, session, seq)));
        }

        @Override
        public void flush() {
            producer.flush();
        }

        @Override
        public void close() {
            producer.close();
        }
    }

    /** The same events over one WebSocket to the bare server's /publish. */
    static final class BarePublisher implements Publisher {
        private final WebSocket socket;

        BarePublisher(Fleet fleet, int port) {
            socket = fleet.vertx.createWebSocketClient().connect(port, "127.0.0.1", "/publish")
                    .toCompletionStage().toCompletableFuture().join();
        }

        @Override
        public void publish(String tenant, String session, long seq) {
            socket.writeTextMessage(event(tenant, session, seq));
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
            socket.close();
        }
    }

    static String event(String tenant, String session, long seq) {
        String now = Instant.now().toString();
        return "{\"type\":\"MessageCreated\",\"event_id\":\"" + UUID.randomUUID() + "\",\"tenant_id\":\"" + tenant
                + "\",\"session_id\":\"" + session + "\",\"seq\":" + seq + ",\"occurred_at\":\"" + now
                + "\",\"message_id\":\"" + UUID.randomUUID() + "\",\"role\":\"assistant\",\"content\":\"" + Fleet.MARK
                + System.nanoTime() + "\",\"sender_user_id\":\"bench-assistant\",\"created_at\":\"" + now
                + "\",\"client_message_id\":null,\"metadata\":{}}";
    }

    /** Calls {@code send} {@code rate} times per second for {@code seconds}, in 10 ms ticks. */
    private static void pace(int rate, int seconds, LongConsumer send) {
        long start = System.nanoTime();
        long total = (long) rate * seconds;
        long sent = 0;
        while (sent < total) {
            long due = Math.min(total, (System.nanoTime() - start) * rate / 1_000_000_000L + 1);
            while (sent < due) {
                send.accept(sent++);
            }
            sleep(Math.max(1, 10 - (System.nanoTime() - start) / 1_000_000 % 10));
        }
    }

    private static void awaitConnected(List<Conn> conns) {
        long deadline = System.nanoTime() + 300_000_000_000L;
        while (conns.stream().anyMatch(c -> c.connectedAt == 0)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(conns.stream().filter(c -> c.connectedAt == 0).count()
                        + " clients not connected after 300 s");
            }
            sleep(20);
        }
    }

    private static void awaitCaughtUp(List<Conn> conns, Map<String, AtomicLong> lastSeq, int seconds) {
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        while (System.nanoTime() < deadline && conns.stream()
                .anyMatch(c -> c.lastSeq() < lastSeq.getOrDefault(c.session, new AtomicLong()).get())) {
            sleep(20);
        }
    }

    private static void printMachine() throws Exception {
        String cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                .findFirst().map(l -> l.substring(l.indexOf(':') + 2)).orElse("?");
        String mem = Files.readAllLines(Path.of("/proc/meminfo")).getFirst().replaceAll("\\s+", " ");
        System.out.printf("# Machine: %d CPUs (%s), %s, Java %s, %s%n", Runtime.getRuntime().availableProcessors(),
                cpu, mem, System.getProperty("java.version"), Instant.now());
        System.out.println("# Servers (gateway and bare reference): " + String.join(" ", Deployment.SERVER_JVM));
    }

    private static List<String> list(String property, String defaults) {
        return Arrays.stream(System.getProperty(property, defaults).split(",")).map(String::trim).toList();
    }

    private static String ms(Histogram h, double percentile) {
        return ms(h.getValueAtPercentile(percentile));
    }

    private static String ms(long micros) {
        return String.format("%.1f", micros / 1000.0);
    }

    private static String kb(double bytes) {
        return String.format("%.1f KB", bytes / 1024);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static final class Step {
        double p50;
        double p99;
        double max;
        double framesPerSecond;
        double cpuMicrosPerFrame;
        double cpuPercent;

        /** Each figure's median over the rounds. */
        static Step median(List<Step> rounds) {
            Step m = new Step();
            m.p50 = median(rounds, s -> s.p50);
            m.p99 = median(rounds, s -> s.p99);
            m.max = median(rounds, s -> s.max);
            m.framesPerSecond = median(rounds, s -> s.framesPerSecond);
            m.cpuMicrosPerFrame = median(rounds, s -> s.cpuMicrosPerFrame);
            m.cpuPercent = median(rounds, s -> s.cpuPercent);
            return m;
        }

        private static double median(List<Step> rounds, java.util.function.ToDoubleFunction<Step> f) {
            double[] v = rounds.stream().mapToDouble(f).sorted().toArray();
            return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
        }
    }

    private static final class Result {
        final Map<Integer, Step> steps = new HashMap<>();
        double heapPerConn;
        double rssPerConn;
    }
}
