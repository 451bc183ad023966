package com.parley.chat.api.service;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** Timestamps at the precision PostgreSQL stores, so what a response says equals what a re-read says. */
final class Clock {

    private Clock() {
    }

    static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MICROS);
    }
}
