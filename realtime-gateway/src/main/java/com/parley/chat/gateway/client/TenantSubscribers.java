package com.parley.chat.gateway.client;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The local subscriptions of a tenant-wide channel ({@code operators}, {@code stats}), by tenant;
 * a tenant without any is forgotten.
 */
public final class TenantSubscribers<S extends Subscription> {

    private final Map<String, Set<S>> byTenant = new ConcurrentHashMap<>();

    public void add(S subscription) {
        byTenant.computeIfAbsent(tenant(subscription), t -> ConcurrentHashMap.newKeySet()).add(subscription);
    }

    public void remove(S subscription) {
        byTenant.computeIfPresent(tenant(subscription), (t, set) -> {
            set.remove(subscription);
            return set.isEmpty() ? null : set;
        });
    }

    public boolean any(String tenant) {
        return byTenant.containsKey(tenant);
    }

    /** One subscriber of the tenant, whose token may ask chat-api on the channel's behalf. */
    public Optional<S> one(String tenant) {
        return byTenant.getOrDefault(tenant, Set.of()).stream().findFirst();
    }

    /** Writes a frame of the channel to every subscriber of the tenant. */
    public void send(String tenant, String frame) {
        byTenant.getOrDefault(tenant, Set.of()).forEach(s -> s.deliverSignal(frame));
    }

    public Set<String> tenants() {
        return byTenant.keySet();
    }

    private static String tenant(Subscription subscription) {
        return subscription.connection().caller().tenantId();
    }
}
