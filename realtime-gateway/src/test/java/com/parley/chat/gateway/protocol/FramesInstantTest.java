package com.parley.chat.gateway.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Instant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FramesInstantTest {

    @ParameterizedTest
    @ValueSource(strings = {"2026-11-24T19:16:45.334622356Z", "2026-11-24T19:16:45Z", "2026-11-24T19:16:45.3Z",
            "2024-02-29T23:59:59.999Z", "1970-01-01T00:00:00Z", "2026-11-24T19:16:45.334622Z",
            "2026-11-24T19:16:45+01:00", "+12026-11-24T19:16:45Z"})
    void readsWhatInstantParseReads(String text) {
        Instant expected;
        try {
            expected = Instant.parse(text);
        } catch (java.time.format.DateTimeParseException e) {
            expected = null;
        }
        assertEquals(expected, Frames.instant(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "yesterday", "2026-13-24T19:16:45Z", "2026-02-30T19:16:45Z", "2026-11-24T25:16:45Z",
            "2026-11-24T19:16:45.12a4Z"})
    void isNullForWhatIsNotAnInstant(String text) {
        assertNull(Frames.instant(text));
    }

    @Test
    void keepsNanoseconds() {
        assertEquals(334_622_356, Frames.instant("2026-11-24T19:16:45.334622356Z").getNano());
    }
}
