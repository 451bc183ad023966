package com.parley.bench;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;

import com.parley.bench.Fleet.Conn;

/** Sending at a rate and waiting for clients: what every scenario does. */
final class Load {

    private Load() {
    }

    /** Calls {@code send} {@code rate} times per second for {@code seconds}, in 10 ms ticks. */
    static void pace(int rate, int seconds, LongConsumer send) {
        pace(rate, seconds, (n, due) -> send.accept(n));
    }

    /** The n-th message of a paced load and the moment ({@link System#nanoTime()}) it was due. */
    interface Paced {
        void send(long n, long dueNanos);
    }

    /**
     * {@link #pace(int, int, LongConsumer)}, with each message's due time: a latency taken from it
     * counts the time a message waited because the ones before it held up the sender (a full
     * connection pool), which a latency from the moment it went out would leave out.
     */
    static void pace(int rate, int seconds, Paced send) {
        long start = System.nanoTime();
        long total = (long) rate * seconds;
        long sent = 0;
        while (sent < total) {
            long due = Math.min(total, (System.nanoTime() - start) * rate / 1_000_000_000L + 1);
            while (sent < due) {
                send.send(sent, start + sent * 1_000_000_000L / rate);
                sent++;
            }
            sleep(Math.max(1, 10 - (System.nanoTime() - start) / 1_000_000 % 10));
        }
    }

    static void awaitConnected(List<Conn> conns) {
        long deadline = System.nanoTime() + 300_000_000_000L;
        while (conns.stream().anyMatch(c -> c.connectedAt == 0)) {
            boolean closedUngreeted = conns.stream().anyMatch(c -> c.connectedAt == 0 && c.closeCode != -1);
            if (System.nanoTime() > deadline || closedUngreeted) {
                List<Conn> stuck = conns.stream().filter(c -> c.connectedAt == 0).toList();
                stuck.stream().limit(3).forEach(Load::printSocketState);
                throw new IllegalStateException(stuck.size() + " clients without their `connected` (closed by the"
                        + " server, or not after 300 s); close code (-1: open), session, local address: "
                        + stuck.stream().map(c -> c.closeCode + " " + c.session + " "
                                + (c.socket == null ? "-" : c.socket.localAddress())).toList());
            }
            sleep(20);
        }
    }

    /** What the kernel says of a stuck client's TCP connection (both ends: queues, state). */
    private static void printSocketState(Conn c) {
        if (c.socket == null || c.socket.localAddress() == null) {
            return;
        }
        try {
            Process ss = new ProcessBuilder("ss", "-tnoi", "( sport = :" + c.socket.localAddress().port()
                    + " or dport = :" + c.socket.localAddress().port() + " )").redirectErrorStream(true).start();
            System.out.println("stuck client " + c.socket.localAddress() + ":\n"
                    + new String(ss.getInputStream().readAllBytes()));
        } catch (IOException e) {
            System.out.println("ss: " + e);
        }
    }

    static void awaitCaughtUp(List<Conn> conns, Map<String, AtomicLong> lastSeq, int seconds) {
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        while (System.nanoTime() < deadline && conns.stream()
                .anyMatch(c -> c.lastSeq() < lastSeq.getOrDefault(c.session, new AtomicLong()).get())) {
            sleep(20);
        }
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
