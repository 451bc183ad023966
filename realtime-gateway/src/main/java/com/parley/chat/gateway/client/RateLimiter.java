package com.parley.chat.gateway.client;

/** A token bucket: {@code ratePerSecond} frames a second on average, bursts up to {@code burst}. */
public final class RateLimiter {

    private final double ratePerNano;
    private final int burst;
    private double tokens;
    private long refilledAt;

    public RateLimiter(double ratePerSecond, int burst) {
        this.ratePerNano = ratePerSecond / 1_000_000_000d;
        this.burst = burst;
        this.tokens = burst;
        this.refilledAt = System.nanoTime();
    }

    public synchronized boolean tryAcquire() {
        long now = System.nanoTime();
        tokens = Math.min(burst, tokens + (now - refilledAt) * ratePerNano);
        refilledAt = now;
        if (tokens >= 1) {
            tokens -= 1;
            return true;
        }
        return false;
    }
}
