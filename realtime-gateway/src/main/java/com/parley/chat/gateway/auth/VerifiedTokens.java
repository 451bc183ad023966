package com.parley.chat.gateway.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Tokens already verified, remembered until they expire, so that a reconnect storm does not pay a
 * second RS256/ES256 verification per client. Keyed by the token's SHA-256 (a token is up to a
 * kilobyte; its digest is 32 bytes), bounded in entries: when full, expired entries go first,
 * then everything (a verification is only a cost, never a wrong answer).
 */
public final class VerifiedTokens<T> {

    private record Key(byte[] digest) {
        @Override
        public boolean equals(Object other) {
            return other instanceof Key key && Arrays.equals(digest, key.digest);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(digest);
        }
    }

    private record Entry<T>(T value, Instant expiresAt) {
    }

    private final int maxEntries;
    private final Function<T, Instant> expiry;
    private final ConcurrentHashMap<Key, Entry<T>> entries = new ConcurrentHashMap<>();

    /** @param expiry when a verified value stops being valid */
    public VerifiedTokens(int maxEntries, Function<T, Instant> expiry) {
        this.maxEntries = maxEntries;
        this.expiry = expiry;
    }

    /** The value verified earlier for this token and not yet expired, else {@code verify}'s (null: invalid, not kept). */
    public T get(String token, Function<String, T> verify) {
        if (maxEntries <= 0) {
            return verify.apply(token);
        }
        Key key = new Key(sha256(token));
        Entry<T> cached = entries.get(key);
        Instant now = Instant.now();
        if (cached != null && cached.expiresAt().isAfter(now)) {
            return cached.value();
        }
        T value = verify.apply(token);
        if (value != null) {
            if (entries.size() >= maxEntries) {
                entries.values().removeIf(e -> !e.expiresAt().isAfter(now));
                if (entries.size() >= maxEntries) {
                    entries.clear();
                }
            }
            entries.put(key, new Entry<>(value, expiry.apply(value)));
        }
        return value;
    }

    /** The value verified earlier for this token and not yet expired, or null: nothing is verified here. */
    public T known(String token) {
        if (maxEntries <= 0 || token == null) {
            return null;
        }
        Entry<T> cached = entries.get(new Key(sha256(token)));
        return cached != null && cached.expiresAt().isAfter(Instant.now()) ? cached.value() : null;
    }

    public int size() {
        return entries.size();
    }

    private static byte[] sha256(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
