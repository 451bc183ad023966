package com.parley.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.HdrHistogram.Recorder;

import com.parley.infra.ChatInfra;
import com.parley.infra.ChatSystem;
import com.parley.infra.ChildProcesses;
import com.parley.infra.FreePorts;
import com.parley.infra.ServiceProcess;

/**
 * The system under test, each part in its own JVM as in production: PostgreSQL, Kafka, chat-api,
 * two gateway instances, and the bare Vert.x broadcast server for reference. Gateways and the
 * reference server get the same JVM flags.
 */
final class Deployment implements AutoCloseable {

    static final List<String> SERVER_JVM = List.of("-Xms256m", "-Xmx1g", "-XX:+UseSerialGC");
    private static final Pattern SEQ = Pattern.compile("\"seq\":(\\d+)");
    private static final Pattern ID = Pattern.compile("\"id\":\"([^\"]+)\"");
    private static final Pattern SUBSCRIPTION_TOKEN = Pattern.compile("\"subscription_token\":\"([^\"]+)\"");
    private static final Pattern CHAT_API_GETS = Pattern.compile(
            "(?m)^http_server_requests_seconds_count\\{([^}]*)\\} (\\S+)$");

    final ChatInfra infra = ChatInfra.get();
    final ChatSystem system;
    /**
     * chat-api as the other servers, plus write limits lifted: the write scenario posts far more
     * than a user or a tenant may (10 and 1,000 messages/s by default).
     */
    /**
     * -Dbench.relay=debezium: the outbox is published by Debezium (change data capture, the
     * cdc-relay module in a JVM of its own) instead of chat-api's relay, which is switched off;
     * PostgreSQL runs with {@code wal_level=logical} (for the relay too: -Dparley.postgres.settings=wal_level=logical).
     */
    static final boolean CDC = "debezium".equals(System.getProperty("bench.relay"));

    static final List<String> CHAT_API_JVM = chatApiJvm();

    static {
        if (CDC) {
            String settings = System.getProperty("parley.postgres.settings", "");
            System.setProperty("parley.postgres.settings", settings.isBlank() ? "wal_level=logical"
                    : settings + ",wal_level=logical");
        }
    }

    private static List<String> chatApiJvm() {
        List<String> options = new ArrayList<>(List.of("-Xmx512m", "-XX:+UseSerialGC",
                "-Dparley.chat-api.write-limits.per-user-per-second=100000",
                "-Dparley.chat-api.write-limits.per-user-burst=100000",
                "-Dparley.chat-api.write-limits.per-tenant-per-second=100000",
                "-Dparley.chat-api.write-limits.per-tenant-burst=100000",
                // the fan-out scenarios publish their own events for sessions nobody writes in through
                // chat-api: chat-api must not close them (and add a seq of its own) in a long run
                "-Dparley.chat-api.empty-chats.enabled=false"));
        if (CDC) {
            options.add("-Dparley.chat-api.outbox.relay-enabled=false");
        }
        return List.copyOf(options);
    }

    final ServiceProcess chatApi;
    private final AtomicLong failedPosts = new AtomicLong();
    final ServiceProcess gateway1;
    final ServiceProcess gateway2;
    /** An earlier build of the gateway (-Dbench.baseline-jar=...), measured in the same run; or null. */
    final ServiceProcess baseline;
    /**
     * This build with tracing on, exporting to {@link #spanSink} (-Dbench.tracing=true), measured in
     * the same run as gateway 1 with tracing off; or null.
     */
    final ServiceProcess traced;
    private final com.sun.net.httpserver.HttpServer spanSink;
    /** Debezium publishing the outbox (-Dbench.relay=debezium), or null. */
    final Process cdc;
    private final Process cdcWatchdog;
    final int barePort = FreePorts.next();
    final Process bare;
    private final Process bareWatchdog;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    Deployment(Path repo, Path logs) {
        system = ChatSystem.builder(repo, logs, infra.serviceConfig())
                // one tenant and a few users hold every benchmark connection: lift the caps
                .gatewayConfig(Map.of("parley.gateway.limits.connections-per-session", "500",
                        "parley.gateway.limits.connections-per-tenant", "100000",
                        "parley.gateway.limits.connections-per-user", "100000"))
                .jvm(service -> jvm(logs, service, "chat-api".equals(service) ? CHAT_API_JVM : SERVER_JVM))
                .startTimeout(Duration.ofSeconds(180))
                .start();
        chatApi = system.chatApi();
        gateway1 = system.gateways().get(0);
        gateway2 = system.gateways().get(1);
        String baselineJar = System.getProperty("bench.baseline-jar");
        baseline = baselineJar == null ? null : system.gateway(Path.of(baselineJar), "gw-baseline", FreePorts.next());
        if (baseline != null) {
            baseline.start(Duration.ofSeconds(180));
        }
        spanSink = Boolean.getBoolean("bench.tracing") ? spanSink() : null;
        traced = spanSink == null ? null : system.gateway(repo.resolve("realtime-gateway/target/quarkus-app/quarkus-run.jar"),
                "gw-traced", FreePorts.next(), ChatSystem.tracingConfig(
                        "http://127.0.0.1:" + spanSink.getAddress().getPort()));
        if (traced != null) {
            traced.start(Duration.ofSeconds(180));
        }
        try {
            List<String> command = new ArrayList<>(List.of(ChildProcesses.javaBinary()));
            command.addAll(SERVER_JVM);
            command.addAll(List.of("-cp", System.getProperty("java.class.path"), BareBroadcastServer.class.getName(),
                    Integer.toString(barePort)));
            bare = new ProcessBuilder(command).redirectErrorStream(true).start();
            bareWatchdog = ChildProcesses.guard(bare.pid(), "KILL");
            BufferedReader out = new BufferedReader(new InputStreamReader(bare.getInputStream()));
            String line;
            while ((line = out.readLine()) != null && !line.startsWith("BARE READY")) {
                System.out.println("[bare] " + line);
            }
            Thread.ofVirtual().start(() -> out.lines().forEach(l -> System.out.println("[bare] " + l)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        cdc = CDC ? startCdcRelay(repo) : null;
        cdcWatchdog = cdc == null ? null : ChildProcesses.guard(cdc.pid(), "KILL");
    }

    /** The Debezium relay in a JVM of its own, with the servers' flags; returns once it streams. */
    private Process startCdcRelay(Path repo) {
        try {
            Path target = repo.resolve("deploy/cdc-relay/target");
            String classpath = target.resolve("cdc-relay-1.0.0-SNAPSHOT.jar") + ":"
                    + java.nio.file.Files.readString(target.resolve("cdc-relay.classpath")).strip();
            List<String> command = new ArrayList<>(List.of(ChildProcesses.javaBinary()));
            command.addAll(SERVER_JVM);
            command.addAll(List.of("-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-cp", classpath,
                    "com.parley.cdc.DebeziumRelay", "127.0.0.1", Integer.toString(infra.postgres().port()),
                    com.parley.infra.PostgresServer.USER, com.parley.infra.PostgresServer.PASSWORD,
                    com.parley.infra.PostgresServer.DATABASE, infra.kafka().bootstrapServers(),
                    System.getProperty("bench.cdc-poll-ms", "5")));
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream()));
            String line;
            while ((line = out.readLine()) != null && !line.startsWith("CDC READY")) {
                System.out.println("[cdc] " + line);
            }
            if (line == null) {
                throw new IllegalStateException("the Debezium relay ended before it streamed");
            }
            Thread.ofVirtual().start(() -> out.lines().forEach(l -> System.out.println("[cdc] " + l)));
            Thread.sleep(3000); // the slot exists once the task started; let streaming begin
            System.out.println("The outbox is published by Debezium (pgoutput, outbox event router);"
                    + " chat-api's relay is off.");
            return process;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * With -Dbench.jfr=true chat-api and the first gateway record a profile (JFR) of the whole run;
     * -Dbench.jfr=gw-2,chat-api names the services. -Dbench.jvm-options adds flags to every service
     * (space-separated; {@code {id}} becomes the service's id, e.g.
     * {@code -Xlog:gc:file=deploy/bench/target/logs/{id}-gc.log}); -Dbench.jvm-options.<id> adds flags
     * to one service only (gw-baseline run with other settings than gw-1: an A/B of a setting).
     */
    private static List<String> jvm(Path logs, String id, List<String> base) {
        List<String> options = new ArrayList<>(base);
        for (String property : List.of("bench.jvm-options", "bench.jvm-options." + id)) {
            String extra = System.getProperty(property, "").strip();
            if (!extra.isEmpty()) {
                for (String option : extra.split("\\s+")) {
                    options.add(option.replace("{id}", id));
                }
            }
        }
        String jfr = System.getProperty("bench.jfr", "false");
        List<String> profiled = "true".equals(jfr) ? List.of("gw-1", "chat-api") : List.of(jfr.split(","));
        if (profiled.contains(id)) {
            // execution samples, and JDK 25's CPU-time samples (every thread on CPU, in Java or in a
            // system call, once per millisecond of its CPU time): jfr print --events jdk.CPUTimeSample
            options.add("-XX:StartFlightRecording=settings=profile,jdk.CPUTimeSample#enabled=true,"
                    + "jdk.CPUTimeSample#throttle=1ms,filename=" + logs.resolve(id + ".jfr"));
            // without it a sample between safepoints is put on the nearest line the JIT kept, which
            // can be a line that does no work (one such line of the fan-out looked like 15 % of the CPU)
            options.add("-XX:+UnlockDiagnosticVMOptions");
            options.add("-XX:+DebugNonSafepoints");
        }
        return options;
    }

    String token(String tenant, String user, String role) {
        return infra.tokens().issue(tenant, user, role);
    }

    /**
     * Sessions of {@code count} customers of a tenant, with each customer's token and chat-api's
     * subscription token for the session.
     */
    record Customers(String tenant, List<String> sessions, List<String> tokens, List<String> subscriptionTokens) {
    }

    Customers customers(String tenant, int count) {
        List<String> sessions = new ArrayList<>();
        List<String> tokens = new ArrayList<>();
        List<String> subscriptionTokens = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String token = token(tenant, "customer-" + i, "user");
            String body = call(tenant, token, "/sessions", "{}");
            sessions.add(group(ID, body));
            tokens.add(token);
            Matcher m = SUBSCRIPTION_TOKEN.matcher(body);
            subscriptionTokens.add(m.find() ? m.group(1) : null);
        }
        return new Customers(tenant, sessions, tokens, subscriptionTokens);
    }

    /** chat-api's GET requests on a session so far (access checks and history): what reconnects cost it. */
    long chatApiSessionGets() {
        Matcher m = CHAT_API_GETS.matcher(ServerTimer.metricsPage(chatApi));
        double sum = 0;
        while (m.find()) {
            if (m.group(1).contains("method=\"GET\"") && m.group(1).contains("sessions/{sessionId}")) {
                sum += Double.parseDouble(m.group(2));
            }
        }
        return (long) sum;
    }

    private static String group(Pattern pattern, String body) {
        Matcher m = pattern.matcher(body);
        if (!m.find()) {
            throw new IllegalStateException("no " + pattern + " in " + body);
        }
        return m.group(1);
    }

    /**
     * Posts {@code rate} messages a second for {@code seconds} through chat-api, round-robin over the
     * sessions, each carrying its send time; {@code lastSeq} keeps the highest seq each session got.
     */
    void postAt(Customers customers, int rate, int seconds, Map<String, AtomicLong> lastSeq) {
        postAt(customers, rate, seconds, lastSeq, null);
    }

    /**
     * {@link #postAt(Customers, int, int, Map)}, each answered post's latency (µs) into {@code answered};
     * at most {@code bench.max-in-flight} posts (200) wait for their answer at once, as a client with a
     * bounded connection pool (chat-api speaks HTTP/1.1: one request per connection at a time); when
     * they are all out, sending waits, and the rate answered shows what chat-api sustains. Latencies
     * count from the moment each post was due (until 2026-12-07 from the moment it went out, which
     * left out the wait for a free connection).
     */
    void postAt(Customers customers, int rate, int seconds, Map<String, AtomicLong> lastSeq, Recorder answered) {
        int count = customers.sessions().size();
        Semaphore inFlight = new Semaphore(Integer.getInteger("bench.max-in-flight", 200));
        Load.pace(rate, seconds, (n, sent) -> {
            int s = (int) (n % count);
            String session = customers.sessions().get(s);
            inFlight.acquireUninterruptibly();
            post(customers.tenant(), session, customers.tokens().get(s), Fleet.MARK + sent)
                    .whenComplete((seq, failure) -> {
                        inFlight.release();
                        if (failure != null) {
                            failedPosts.incrementAndGet();
                            return;
                        }
                        if (answered != null) {
                            answered.recordValue((System.nanoTime() - sent) / 1000);
                        }
                        lastSeq.computeIfAbsent(session, k -> new AtomicLong()).accumulateAndGet(seq, Math::max);
                    });
        });
        inFlight.acquireUninterruptibly(Integer.getInteger("bench.max-in-flight", 200)); // every answer is in
    }

    /** Posts that failed (refused or unanswered) since the start. */
    long failedPosts() {
        return failedPosts.get();
    }

    /** Creates a session as {@code customer}; returns its id. */
    String createSession(String tenant, String customer) {
        return group(ID, call(tenant, token(tenant, customer, "user"), "/sessions", "{}"));
    }

    /** Posts a message through chat-api, asynchronously; completes with its seq. */
    CompletableFuture<Long> post(String tenant, String session, String token, String content) {
        HttpRequest request = request(tenant, token, "/sessions/" + session + "/messages",
                "{\"content\":\"" + content + "\"}");
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).thenApply(response -> {
            Matcher m = SEQ.matcher(response.body());
            if (response.statusCode() != 201 || !m.find()) {
                throw new IllegalStateException("post refused: " + response.statusCode() + " " + response.body());
            }
            return Long.parseLong(m.group(1));
        });
    }

    private String call(String tenant, String token, String path, String body) {
        try {
            HttpResponse<String> response = http.send(request(tenant, token, path, body),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() / 100 != 2) {
                throw new IllegalStateException(path + ": " + response.statusCode() + " " + response.body());
            }
            return response.body();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private HttpRequest request(String tenant, String token, String path, String body) {
        return HttpRequest.newBuilder(URI.create(chatApi.baseUrl() + "/api/tenants/" + tenant + path))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    @Override
    public void close() {
        ChildProcesses.kill(bare);
        ChildProcesses.release(bareWatchdog);
        if (cdc != null) {
            ChildProcesses.kill(cdc);
            ChildProcesses.release(cdcWatchdog);
        }
        if (baseline != null) {
            baseline.stop();
        }
        if (traced != null) {
            traced.stop();
            spanSink.stop(0);
        }
        system.close();
    }

    /** Where the traced gateway exports: an OTLP/HTTP endpoint that reads and acknowledges every export. */
    private static com.sun.net.httpserver.HttpServer spanSink() {
        try {
            var sink = com.sun.net.httpserver.HttpServer.create(
                    new java.net.InetSocketAddress("127.0.0.1", FreePorts.next()), 0);
            sink.createContext("/v1/traces", exchange -> {
                exchange.getRequestBody().transferTo(java.io.OutputStream.nullOutputStream());
                exchange.sendResponseHeaders(200, -1);
                exchange.close();
            });
            sink.start();
            return sink;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
