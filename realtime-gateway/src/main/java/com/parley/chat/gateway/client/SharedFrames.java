package com.parley.chat.gateway.client;

import com.parley.chat.gateway.protocol.EventFrame;
import com.parley.chat.gateway.protocol.WsFrames;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;

/**
 * An event's frames encoded once as WebSocket frames (its session channel's and, when it differs,
 * its dashboard's) in pooled direct buffers, for every socket of one fan-out: each gets a retained
 * duplicate of the same bytes. Reference-counted: the fan-out holds one reference per event loop
 * it hands the event to and gives it back when that loop is done.
 */
public final class SharedFrames {

    private final EventFrame event;
    private final ByteBuf frame;
    private final ByteBuf dashboardFrame;

    private SharedFrames(EventFrame event, ByteBuf frame, ByteBuf dashboardFrame) {
        this.event = event;
        this.frame = frame;
        this.dashboardFrame = dashboardFrame;
    }

    /** Encodes the frames the event's receivers need: its session channel's, its dashboard's, or both. */
    public static SharedFrames encode(EventFrame event, boolean session, boolean dashboard) {
        ByteBuf frame = session ? WsFrames.text(PooledByteBufAllocator.DEFAULT, event.frame()) : null;
        ByteBuf dashboardFrame = !dashboard ? null
                : frame != null && event.dashboardFrame() == event.frame() ? frame.retain()
                        : WsFrames.text(PooledByteBufAllocator.DEFAULT, event.dashboardFrame());
        return new SharedFrames(event, frame, dashboardFrame);
    }

    public EventFrame event() {
        return event;
    }

    /**
     * The encoded bytes of {@code text} when it is one of this event's frames (the same String): a
     * retained duplicate the caller writes or releases; else null.
     */
    public ByteBuf duplicateOf(String text) {
        if (frame != null && text == event.frame()) {
            return frame.retainedDuplicate();
        }
        if (dashboardFrame != null && text == event.dashboardFrame()) {
            return dashboardFrame.retainedDuplicate();
        }
        return null;
    }

    public void retain() {
        if (frame != null) {
            frame.retain();
        }
        if (dashboardFrame != null) {
            dashboardFrame.retain();
        }
    }

    public void release() {
        if (frame != null) {
            frame.release();
        }
        if (dashboardFrame != null) {
            dashboardFrame.release();
        }
    }
}
