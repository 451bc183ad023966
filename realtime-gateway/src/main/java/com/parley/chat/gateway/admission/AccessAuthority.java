package com.parley.chat.gateway.admission;

import com.parley.chat.gateway.auth.Caller;

import io.smallrye.mutiny.Uni;

/** Who decides whether a caller may open a session when the token alone cannot: chat-api. */
public interface AccessAuthority {

    enum Verdict { ALLOWED, NOT_FOUND, UNAUTHORIZED, UNAVAILABLE }

    /** Asked with the caller's own token, so that chat-api's ownership rules are the only rules. */
    Uni<Verdict> access(Caller caller, String sessionId);
}
