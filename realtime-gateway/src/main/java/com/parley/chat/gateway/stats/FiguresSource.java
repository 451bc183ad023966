package com.parley.chat.gateway.stats;

import java.time.Instant;

import com.parley.chat.gateway.auth.Caller;

import io.smallrye.mutiny.Uni;

/** What only chat-api knows of a tenant: its open and unclaimed sessions. */
public interface FiguresSource {

    /**
     * Open and unclaimed sessions, since when the oldest unclaimed one waits (null: none waits), and
     * the chats customers rated good and bad in the last 24 hours.
     */
    record SessionFigures(long openSessions, long unclaimedSessions, Instant oldestUnclaimedSince,
            long ratedGoodLastDay, long ratedBadLastDay) {
    }

    Uni<SessionFigures> figures(Caller admin);
}
