package com.parley.infra;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How the database ends when the program that started it is stopped (Ctrl-C or SIGTERM on
 * {@code deploy/local/start.sh}): the local system stops chat-api before PostgreSQL, so PostgreSQL
 * must still be there while the services stop, and gone after.
 */
class PostgresServerTest {

    @TempDir
    Path dir;

    @Test
    void theDatabaseStaysUpWhileTheProgramStopsItsServicesAndIsGoneAfter() throws Exception {
        int port = FreePorts.next();
        Process program = new ProcessBuilder(ChildProcesses.javaBinary(), "-cp", System.getProperty("java.class.path"),
                ProgramWithADatabase.class.getName(), String.valueOf(port), dir.resolve("pg").toString())
                .redirectErrorStream(true).start();
        StringBuilder output = new StringBuilder();
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(program.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = lines.readLine()) != null && !line.equals("READY")) {
                output.append(line).append('\n');
            }
            assertTrue(line != null, "the program did not start its database:\n" + output);

            program.toHandle().destroy(); // SIGTERM, as `kill <pid>` (Ctrl-C runs the same shutdown hooks); keeps the output open

            assertTrue(program.waitFor(60, TimeUnit.SECONDS), "the program did not stop");
            lines.lines().forEach(rest -> output.append(rest).append('\n'));
        }
        // a service stopping after the signal still reached the database (it was not closed under it)
        assertTrue(output.toString().contains("SERVICE STOPPED, ITS LAST QUERY ANSWERED"), output.toString());
        // and the database did not outlive the program
        assertFalse(listening(port), "PostgreSQL still listens on " + port + "\n" + output);
    }

    private static boolean listening(int port) {
        try (Socket ignored = new Socket(InetAddress.getLoopbackAddress(), port)) {
            return true;
        } catch (java.io.IOException refused) {
            return false;
        }
    }

    /**
     * A program that starts a database and, on its way out, first stops a "service" that still uses
     * it for a second (as chat-api's last requests and its outbox relay do), then the database: the
     * order of the local system's shutdown hook.
     */
    public static final class ProgramWithADatabase {
        public static void main(String[] args) throws Exception {
            PostgresServer postgres = new PostgresServer(Integer.parseInt(args[0]), Path.of(args[1]), false).start();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    Thread.sleep(1_000);
                    try (Connection connection = DriverManager.getConnection(postgres.jdbcUrl(), PostgresServer.USER,
                            PostgresServer.PASSWORD)) {
                        connection.createStatement().execute("select 1");
                    }
                    System.out.println("SERVICE STOPPED, ITS LAST QUERY ANSWERED");
                } catch (Exception e) {
                    System.out.println("SERVICE STOPPED WITH " + e);
                } finally {
                    postgres.stop();
                }
            }));
            System.out.println("READY");
            Thread.sleep(Long.MAX_VALUE);
        }
    }
}
