package com.parley.chat.gateway.recovery;

import java.util.List;

import com.parley.chat.gateway.auth.Caller;
import com.parley.chat.gateway.protocol.EventFrame;
import com.parley.chat.gateway.protocol.SessionKey;

import io.smallrye.mutiny.Uni;

/** Where a replay reads what the live stream no longer has: chat-api's history of a session. */
public interface HistorySource {

    /** One page of a session's events, in seq order, and the newest seq the session has. */
    record Page(List<EventFrame> events, boolean hasMore, long lastSeq) {
    }

    /** The session does not exist for this caller (chat-api answered 403 or 404): fetching again will not help. */
    final class NotFound extends RuntimeException {
        public NotFound(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * Events after {@code afterSeq}, at most {@code limit}, read with the caller's own rights; fails
     * with {@link NotFound} when the session is not the caller's to read.
     */
    Uni<Page> history(Caller caller, SessionKey session, long afterSeq, int limit);
}
