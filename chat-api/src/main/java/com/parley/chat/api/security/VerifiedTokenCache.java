package com.parley.chat.api.security;

import java.security.PrivateKey;
import java.security.PublicKey;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import javax.crypto.SecretKey;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Alternative;
import jakarta.inject.Inject;

import org.eclipse.microprofile.jwt.JsonWebToken;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics;
import io.smallrye.jwt.auth.principal.DefaultJWTParser;
import io.smallrye.jwt.auth.principal.JWTAuthContextInfo;
import io.smallrye.jwt.auth.principal.JWTParser;
import io.smallrye.jwt.auth.principal.ParseException;

/**
 * Bearer tokens verified once and remembered until they expire: a client sends the same token with
 * every request, and an RS256/ES256 verification per request was a seventh of chat-api's CPU. The
 * Quarkus authentication mechanism asks this parser (it replaces smallrye-jwt's for the
 * {@link JWTParser} type); a token seen before and not yet expired gets its earlier answer, any
 * other goes through smallrye-jwt's full verification. Bounded in entries (Caffeine evicts the least
 * used); an expired token is never answered from memory, and a token that failed is not kept.
 * Hits and misses are the {@code cache_gets_total{cache="verified-tokens"}} metric.
 */
@Alternative
@Priority(1)
@ApplicationScoped
public class VerifiedTokenCache implements JWTParser {

    private static final long MAX_ENTRIES = 20_000;

    private final DefaultJWTParser verifier;
    private final Cache<String, JsonWebToken> verified;

    @Inject
    public VerifiedTokenCache(DefaultJWTParser verifier, MeterRegistry registry) {
        this.verifier = verifier;
        this.verified = Caffeine.newBuilder().maximumSize(MAX_ENTRIES).expireAfter(untilTokenExpiry())
                .recordStats().build();
        CaffeineCacheMetrics.monitor(registry, verified, "verified-tokens");
    }

    @Override
    public JsonWebToken parse(String token) throws ParseException {
        JsonWebToken known = verified.getIfPresent(token);
        if (known != null) {
            return known;
        }
        JsonWebToken fresh = verifier.parse(token);
        if (secondsLeft(fresh) > 0) {
            verified.put(token, fresh);
        }
        return fresh;
    }

    @Override
    public JsonWebToken parse(String token, JWTAuthContextInfo context) throws ParseException {
        return verifier.parse(token, context);
    }

    @Override
    public JsonWebToken verify(String token, PublicKey key) throws ParseException {
        return verifier.verify(token, key);
    }

    @Override
    public JsonWebToken verify(String token, SecretKey key) throws ParseException {
        return verifier.verify(token, key);
    }

    @Override
    public JsonWebToken verify(String token, String secret) throws ParseException {
        return verifier.verify(token, secret);
    }

    @Override
    public JsonWebToken decrypt(String token, PrivateKey key) throws ParseException {
        return verifier.decrypt(token, key);
    }

    @Override
    public JsonWebToken decrypt(String token, SecretKey key) throws ParseException {
        return verifier.decrypt(token, key);
    }

    @Override
    public JsonWebToken decrypt(String token, String secret) throws ParseException {
        return verifier.decrypt(token, secret);
    }

    @Override
    public JsonWebToken parseOnly(String token) throws ParseException {
        return verifier.parseOnly(token);
    }

    private static long secondsLeft(JsonWebToken token) {
        return token.getExpirationTime() - System.currentTimeMillis() / 1000;
    }

    private static Expiry<String, JsonWebToken> untilTokenExpiry() {
        return new Expiry<>() {
            @Override
            public long expireAfterCreate(String key, JsonWebToken token, long currentTime) {
                long millisLeft = token.getExpirationTime() * 1000 - System.currentTimeMillis();
                return TimeUnit.MILLISECONDS.toNanos(Math.max(0, Math.min(millisLeft, Duration.ofDays(1).toMillis())));
            }

            @Override
            public long expireAfterUpdate(String key, JsonWebToken token, long currentTime, long currentDuration) {
                return currentDuration;
            }

            @Override
            public long expireAfterRead(String key, JsonWebToken token, long currentTime, long currentDuration) {
                return currentDuration;
            }
        };
    }
}
