package com.parley.chat.api.service;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * Timestamps at the precision PostgreSQL stores, so what a response says equals what a re-read says;
 * and read back from a native query.
 */
final class Clock {

    private Clock() {
    }

    static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MICROS);
    }

    /** A timestamptz column as a native query returns it (the driver's type depends on the query). */
    static Instant ofColumn(Object value) {
        return switch (value) {
            case Instant instant -> instant;
            case java.sql.Timestamp timestamp -> timestamp.toInstant();
            case java.time.OffsetDateTime odt -> odt.toInstant();
            default -> Instant.parse(value.toString());
        };
    }
}
