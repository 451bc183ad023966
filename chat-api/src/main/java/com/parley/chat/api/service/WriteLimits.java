package com.parley.chat.api.service;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import com.parley.chat.api.config.ChatApiConfig;

/**
 * Token buckets for writes, one per user and one per tenant of this instance: a flood from one
 * token is refused with 429 and a Retry-After instead of filling the database and every gateway's
 * memory. Buckets of callers that went quiet are dropped (a full bucket is the default).
 */
@ApplicationScoped
public class WriteLimits {

    private static final int MAX_BUCKETS = 100_000;

    private static final class Bucket {
        double tokens;
        long refilledAt = System.nanoTime();

        Bucket(int burst) {
            tokens = burst;
        }

        /** Takes a token; 0 when granted, else the seconds until one is there. */
        synchronized long take(double perSecond, int burst) {
            long now = System.nanoTime();
            tokens = Math.min(burst, tokens + (now - refilledAt) * perSecond / 1e9);
            refilledAt = now;
            if (tokens >= 1) {
                tokens -= 1;
                return 0;
            }
            return Math.max(1, (long) Math.ceil((1 - tokens) / perSecond));
        }

        synchronized boolean full(double perSecond, int burst) {
            return tokens + (System.nanoTime() - refilledAt) * perSecond / 1e9 >= burst;
        }
    }

    @Inject
    ChatApiConfig config;

    private final Map<String, Bucket> users = new ConcurrentHashMap<>();
    private final Map<String, Bucket> tenants = new ConcurrentHashMap<>();

    /** Counts a write of the caller; throws the 429 problem when the user or the tenant is over its rate. */
    public void check(Caller caller) {
        ChatApiConfig.WriteLimits limits = config.writeLimits();
        long userWait = take(users, caller.tenantId() + "\u0000" + caller.userId(), limits.perUserPerSecond(),
                limits.perUserBurst());
        if (userWait > 0) {
            throw Problems.tooManyWrites("you", userWait);
        }
        long tenantWait = take(tenants, caller.tenantId(), limits.perTenantPerSecond(), limits.perTenantBurst());
        if (tenantWait > 0) {
            throw Problems.tooManyWrites("this tenant", tenantWait);
        }
    }

    private static long take(Map<String, Bucket> buckets, String key, double perSecond, int burst) {
        if (buckets.size() > MAX_BUCKETS) {
            buckets.values().removeIf(b -> b.full(perSecond, burst));
        }
        return buckets.computeIfAbsent(key, k -> new Bucket(burst)).take(perSecond, burst);
    }
}
