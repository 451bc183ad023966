package com.parley.chat.gateway.protocol;

import java.time.Instant;

/**
 * A session event ready to write: serialized once per channel it travels on, and the same text
 * shared by every socket that receives it. {@code frame} carries {@code channel: session:<id>},
 * {@code dashboardFrame} {@code channel: dashboard}; {@code type} is the frame type. Their sizes on
 * the wire are counted once here, not once per socket.
 */
public record EventFrame(String tenantId, String sessionId, long seq, String type, String frame,
        String dashboardFrame, Instant occurredAt, long frameBytes, long dashboardFrameBytes) {

    public EventFrame(String tenantId, String sessionId, long seq, String type, String frame, String dashboardFrame,
            Instant occurredAt) {
        this(tenantId, sessionId, seq, type, frame, dashboardFrame, occurredAt, WireSize.of(frame),
                dashboardFrame == frame ? WireSize.of(frame) : WireSize.of(dashboardFrame));
    }

    /** An event whose frame is the same on every channel (tests, replays built by hand). */
    public EventFrame(String tenantId, String sessionId, long seq, String type, String frame, Instant occurredAt) {
        this(tenantId, sessionId, seq, type, frame, frame, occurredAt);
    }

    public SessionKey sessionKey() {
        return new SessionKey(tenantId, sessionId);
    }
}
