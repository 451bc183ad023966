package com.parley.chat.gateway.stats;

import java.time.Instant;

import com.parley.chat.gateway.auth.Caller;

import io.smallrye.mutiny.Uni;

/** What only chat-api knows of a tenant: its open and unclaimed sessions. */
public interface FiguresSource {

    /** Open and unclaimed sessions, and since when the oldest unclaimed one waits (null: none waits). */
    record SessionFigures(long openSessions, long unclaimedSessions, Instant oldestUnclaimedSince) {
    }

    Uni<SessionFigures> figures(Caller admin);
}
