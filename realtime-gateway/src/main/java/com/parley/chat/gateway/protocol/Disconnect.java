package com.parley.chat.gateway.protocol;

/**
 * Why the gateway closes a connection, as the WebSocket close code and reason the client sees
 * (docs/protocol.md). The code tells the client what to do next: 1012 and 1013 reconnect (with
 * last_seq), 4401 gets a fresh token first, 1008 is a policy the client must not retry in a loop.
 * SSE ends the stream with the same code and reason in a {@code close} event.
 */
public record Disconnect(int code, String reason) {

    /** A policy was violated (authentication, limits, flood): do not retry in a loop. */
    public static final int POLICY_VIOLATION = 1008;
    /** The instance is restarting: reconnect at once (to another instance). */
    public static final int SERVICE_RESTART = 1012;

    public static final int MESSAGE_TOO_BIG_CODE = 1009;

    public static final int INTERNAL_ERROR_CODE = 1011;
    /** Reconnect with last_seq after a pause (slow reader, recovery failed). */
    public static final int TRY_AGAIN_LATER = 1013;
    /** The token expired and no fresh one came in an auth frame. */
    public static final int TOKEN_EXPIRED_CODE = 4401;
    /** A newer connection of the same user took this one's place: do not reconnect. */
    public static final int REPLACED_CODE = 4409;

    public static final Disconnect SHUTDOWN = new Disconnect(SERVICE_RESTART, "service restart");
    public static final Disconnect TOKEN_EXPIRED = new Disconnect(TOKEN_EXPIRED_CODE, "token expired");
    /** A token with another role: reconnect with it, to be admitted for what that role may follow. */
    public static final Disconnect ROLE_CHANGED = new Disconnect(TOKEN_EXPIRED_CODE, "role changed: reconnect");
    /** Silence can be a network that dropped the pongs: reconnect. */
    public static final Disconnect NO_HEARTBEAT = new Disconnect(TRY_AGAIN_LATER, "no heartbeat");
    public static final Disconnect FLOOD = new Disconnect(POLICY_VIOLATION, "too many frames");
    public static final Disconnect NOT_AUTHENTICATED = new Disconnect(POLICY_VIOLATION, "not authenticated");
    public static final Disconnect BAD_LAST_SEQ = new Disconnect(POLICY_VIOLATION,
            "last_seq must be a non-negative number");
    /** Opened while this instance drains: another instance takes it at once. */
    public static final Disconnect DRAINING = new Disconnect(SERVICE_RESTART, "instance is shutting down");
    /** Limits are capacity, not policy: the client tries again later (or elsewhere). */
    public static final Disconnect SESSION_FULL = new Disconnect(TRY_AGAIN_LATER,
            "too many connections to this session");
    public static final Disconnect TENANT_FULL = new Disconnect(TRY_AGAIN_LATER,
            "too many connections for this tenant");
    public static final Disconnect REPLACED = new Disconnect(REPLACED_CODE, "replaced by a newer connection");
    public static final Disconnect SESSION_NOT_FOUND = new Disconnect(POLICY_VIOLATION, "session not found");
    public static final Disconnect FORBIDDEN = new Disconnect(POLICY_VIOLATION, "forbidden");
    public static final Disconnect MESSAGE_TOO_BIG = new Disconnect(MESSAGE_TOO_BIG_CODE, "message too big");
    public static final Disconnect INTERNAL_ERROR = new Disconnect(INTERNAL_ERROR_CODE, "internal error");
    public static final Disconnect HISTORY_UNAVAILABLE = new Disconnect(TRY_AGAIN_LATER, "history unavailable");
    public static final Disconnect ADMISSION_UNAVAILABLE = new Disconnect(TRY_AGAIN_LATER,
            "access could not be checked");

    /** The client did not take what was written to it. */
    public static Disconnect slowConsumer(String why) {
        return new Disconnect(TRY_AGAIN_LATER, "slow consumer: " + why);
    }
}
