package com.parley.bench;

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

    static void awaitConnected(List<Conn> conns) {
        long deadline = System.nanoTime() + 300_000_000_000L;
        while (conns.stream().anyMatch(c -> c.connectedAt == 0)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(conns.stream().filter(c -> c.connectedAt == 0).count()
                        + " clients not connected after 300 s");
            }
            sleep(20);
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
