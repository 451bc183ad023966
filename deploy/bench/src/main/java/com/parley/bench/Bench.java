package com.parley.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import com.parley.infra.KafkaBroker;

/**
 * The realtime benchmark (docs/performance.md). Scenarios, in this order:
 * <ol>
 * <li>{@code e2e}: clients over sessions on both gateway instances, messages posted through chat-api
 * at a fixed rate; latency from the post to the frame on each instance; lost, duplicated,
 * out-of-order.</li>
 * <li>{@code fanout}: events produced straight to Kafka to N connections on one gateway instance,
 * rising rate; the same fan-out on the bare Vert.x server; frames/s, latency, CPU per frame,
 * heap and RSS per connection, and the gateway's figures as ratios to the reference.</li>
 * <li>{@code staff}: staff on multiplexed connections, each following several sessions on one
 * socket; frames/s, latency, CPU per frame.</li>
 * <li>{@code storm}: the instance holding every client is stopped under traffic; all reconnect at
 * once to the other one with their last seq (and chat-api's subscription token); time to come
 * back and to catch up; chat-api's session requests meanwhile; lost, duplicated.</li>
 * </ol>
 * Options ({@code -Dbench.x=...}): scenarios, sizes, sessions, rates (target frames/s),
 * step-seconds, e2e-clients, e2e-rate, staff, staff-sessions-each, staff-sessions, storm-clients,
 * storm-rate, storm-subscription-tokens, connect-parallel, baseline-jar, baseline-first (the baseline
 * measured first where servers go one after the other), tracing (a third gateway
 * with OpenTelemetry on in the fan-out), jfr, jvm-options, write-rates, warmup-steps (write),
 * fanout-warmup-steps, connect-rounds (fan-out: opening connections, server against server, in N
 * rounds whose first place rotates, after one uncounted pass), connect-only (stop after those),
 * kafka-probe (fan-out: a plain consumer of the same events measures the Kafka hop alone), idle-seconds
 * (fan-out: each server's CPU while it holds its connections idle, 10), e2e-send ({@code ws}: the
 * e2e messages go as message frames from the clients of gateway 1), e2e-warmup-seconds (the e2e load
 * first, uncounted, 0).
 */
public final class Bench {

    /** The scenarios, in the order they run ({@code -Dbench.scenarios=e2e,fanout,storm}). */
    enum Scenario {
        E2E, WRITE, FANOUT, STAFF, STORM; // the storm stops gateway 1: last

        static List<Scenario> parse(List<String> names) {
            return names.stream().map(n -> valueOf(n.toUpperCase(java.util.Locale.ROOT))).sorted().toList();
        }
    }

    private Bench() {
    }

    public static void main(String[] args) throws Exception {
        Path repo = Path.of(args.length > 0 ? args[0] : ".").toAbsolutePath().normalize();
        Path logs = repo.resolve("deploy/bench/target/logs");
        Files.createDirectories(logs);
        // the broker as the servers: the full JIT (tests and the local run start it with C1 only, for a faster start)
        System.setProperty(KafkaBroker.JVM_OPTIONS,
                System.getProperty(KafkaBroker.JVM_OPTIONS, String.join(" ", Deployment.SERVER_JVM)));
        Report.printMachine();
        List<Scenario> scenarios = Scenario.parse(list("bench.scenarios", "e2e,fanout,staff,storm"));
        System.out.println("Starting PostgreSQL, Kafka, chat-api, two gateways and the bare server (logs in " + logs
                + ") ...");
        Report report = new Report();
        try (Deployment system = new Deployment(repo, logs)) {
            for (Scenario scenario : scenarios) {
                run(scenario, system, report);
            }
        } catch (RuntimeException e) {
            e.printStackTrace();
            System.out.println("\nBENCH FAILED: " + e);
            System.exit(2);
            return;
        }
        int failures = report.deliveryErrors();
        System.out.println(failures == 0 ? "\nBENCH DONE" : "\nBENCH DONE WITH " + failures + " DELIVERY ERRORS");
        System.exit(failures == 0 ? 0 : 1);
    }

    private static void run(Scenario scenario, Deployment system, Report report) throws Exception {
        switch (scenario) {
            case E2E -> new EndToEndScenario(system, report).run(Integer.getInteger("bench.e2e-clients", 200), 20,
                    Integer.getInteger("bench.e2e-rate", 50), Integer.getInteger("bench.step-seconds", 10) * 2);
            case WRITE -> new WriteScenario(system, report).run(list("bench.write-rates", "250,500,1000,2000").stream()
                    .map(Integer::parseInt).toList(), Integer.getInteger("bench.sessions", 100),
                    Integer.getInteger("bench.step-seconds", 10), Integer.getInteger("bench.warmup-steps", 9));
            case FANOUT -> {
                for (String size : list("bench.sizes", "2000,10000")) {
                    new FanOutScenario(system, report).run(Integer.parseInt(size),
                            Integer.getInteger("bench.sessions", 100));
                }
            }
            case STORM -> new StormScenario(system, report).run(Integer.getInteger("bench.storm-clients", 1000), 100,
                    Integer.getInteger("bench.storm-rate", 100));
            case STAFF -> new StaffScenario(system, report).run(Integer.getInteger("bench.staff", 200),
                    Integer.getInteger("bench.staff-sessions-each", 20), Integer.getInteger("bench.staff-sessions", 200));
        }
    }

    static List<String> list(String property, String defaults) {
        return Arrays.stream(System.getProperty(property, defaults).split(",")).map(String::trim).toList();
    }
}
