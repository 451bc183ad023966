package com.parley.chat.gateway.client;

/** WebSocket close codes the gateway uses (docs/protocol.md). */
public final class CloseCodes {

    public static final int NORMAL = 1000;
    /** Authentication or authorization failed, or a limit was hit (connections, flood). */
    public static final int POLICY_VIOLATION = 1008;
    public static final int TOO_BIG = 1009;
    public static final int INTERNAL_ERROR = 1011;
    /** The instance is restarting: reconnect at once (to another instance). */
    public static final int SERVICE_RESTART = 1012;
    /** The client did not read fast enough or recovery failed: reconnect with last_seq after a pause. */
    public static final int TRY_AGAIN_LATER = 1013;
    /** The token expired and no fresh one came in an auth frame. */
    public static final int TOKEN_EXPIRED = 4401;

    private CloseCodes() {
    }
}
