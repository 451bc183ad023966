package com.parley.chat.legacy.config;

import java.time.Instant;

import io.quarkus.runtime.annotations.StaticInitSafe;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The dates and link every 410 answer carries; documented in escalation-legacy/README.md. */
@StaticInitSafe
@ConfigMapping(prefix = "parley.legacy")
public interface LegacyConfig {

    /** When the escalation API was deprecated (the Deprecation header, RFC 9745). */
    @WithDefault("2026-06-01T00:00:00Z")
    Instant deprecatedAt();

    /** When the legacy URLs stop answering at all (the Sunset header, RFC 8594). */
    @WithDefault("2027-06-01T00:00:00Z")
    Instant sunsetAt();

    /** The migration notes (Link rel="deprecation"). */
    @WithDefault("https://github.com/parley-chat/parley/blob/main/docs/migration.md")
    String migrationNotesUrl();
}
