package com.parley.chat.gateway.admission;

import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import com.parley.chat.gateway.auth.Caller;
import com.parley.chat.gateway.admission.AccessAuthority.Verdict;
import com.parley.chat.gateway.config.GatewayConfig;

import io.smallrye.mutiny.Uni;

/**
 * Asks chat-api (the {@link AccessAuthority}) whether a caller may open a session (with the caller's own token, so chat-api's
 * ownership rules are the only rules) and remembers a yes or no briefly.
 */
@ApplicationScoped
public class SessionAccess {

    private record Cached(Verdict verdict, long expiresAtNanos) {
    }

    private final AccessAuthority authority;
    private final GatewayConfig config;

    private final ConcurrentHashMap<String, Cached> cache = new ConcurrentHashMap<>();
    /** Questions under way: a burst of connections to one session asks chat-api once. */
    private final ConcurrentHashMap<String, Uni<Verdict>> asking = new ConcurrentHashMap<>();

    @Inject
    public SessionAccess(AccessAuthority authority, GatewayConfig config) {
        this.authority = authority;
        this.config = config;
    }

    public Uni<Verdict> check(Caller caller, String sessionId) {
        String key = caller.tenantId() + "\u0000" + caller.userId() + "\u0000" + caller.role() + "\u0000" + sessionId;
        Cached cached = cache.get(key);
        long now = System.nanoTime();
        if (cached != null && cached.expiresAtNanos() > now) {
            return Uni.createFrom().item(cached.verdict());
        }
        return asking.computeIfAbsent(key, k -> ask(k, caller, sessionId, now));
    }

    private Uni<Verdict> ask(String key, Caller caller, String sessionId, long now) {
        return authority.access(caller, sessionId)
                .onFailure().recoverWithItem(Verdict.UNAVAILABLE)
                .invoke(verdict -> {
                    if (verdict == Verdict.ALLOWED || verdict == Verdict.NOT_FOUND) {
                        if (cache.size() > 100_000) {
                            cache.clear(); // crude bound; entries are cheap to ask again
                        }
                        cache.put(key, new Cached(verdict, now + config.accessCacheTtl().toNanos()));
                    }
                })
                .onTermination().invoke(() -> asking.remove(key))
                .memoize().indefinitely();
    }
}
