package com.parley.chat.api.service;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.util.UUID;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import com.parley.chat.api.config.ChatApiConfig;

import io.quarkus.logging.Log;
import io.smallrye.jwt.build.Jwt;
import io.smallrye.jwt.util.KeyUtils;

/**
 * Signs a participant's subscription token for one session (RS256): claims {@code sub} (the
 * user), {@code tenant}, {@code session}, {@code iss}, {@code aud} "parley-gateway", {@code exp}.
 * Any gateway verifies it with chat-api's public key, so a subscription or a reconnect costs
 * chat-api nothing (Centrifugo's channel tokens work the same way).
 */
@ApplicationScoped
public class SubscriptionTokens {

    public static final String AUDIENCE = "parley-gateway";

    @Inject
    ChatApiConfig config;

    private PrivateKey key;

    @PostConstruct
    void load() {
        config.subscriptionTokens().privateKeyLocation().ifPresent(location -> {
            try {
                Path path = location.startsWith("file:") ? Path.of(URI.create(location)) : Path.of(location);
                if (!Files.exists(path)) {
                    // an optional Secret that was not created: gateways fall back to asking chat-api
                    Log.warnf("no subscription token key at %s: no subscription tokens are issued", location);
                    return;
                }
                key = KeyUtils.decodePrivateKey(Files.readString(path));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the subscription token key " + location, e);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("the subscription token key is not a PKCS#8 RSA key", e);
            }
        });
    }

    /** The caller's token for the session, or null when no signing key is configured. */
    public String issue(Caller caller, UUID sessionId) {
        if (key == null) {
            return null;
        }
        return Jwt.issuer(config.subscriptionTokens().issuer()).subject(caller.userId()).audience(AUDIENCE)
                .claim("tenant", caller.tenantId()).claim("session", sessionId.toString())
                .expiresIn(config.subscriptionTokens().ttl()).sign(key);
    }
}
