package com.parley.chat.api.messaging;

import java.util.UUID;

/** Fired inside a writing transaction; the relay observes it after a successful commit. */
public record OutboxWritten(UUID eventId) {
}
