package com.parley.chat.gateway.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;

/**
 * A frame as a server sends it on a WebSocket (RFC 6455 §5.2): one unmasked, final text frame,
 * header and UTF-8 payload in one buffer, ready for the socket. The fan-out encodes an event once
 * this way and hands every recipient a duplicate of the same bytes (uWebSockets' and centrifuge's
 * prepared messages); no per-socket encoding or copy.
 */
public final class WsFrames {

    private static final int FIN_TEXT = 0x81;

    private WsFrames() {
    }

    public static ByteBuf text(ByteBufAllocator alloc, String text) {
        int payload = ByteBufUtil.utf8Bytes(text);
        int header = payload < 126 ? 2 : payload < 65_536 ? 4 : 10;
        ByteBuf frame = alloc.directBuffer(header + payload);
        frame.writeByte(FIN_TEXT);
        if (payload < 126) {
            frame.writeByte(payload);
        } else if (payload < 65_536) {
            frame.writeByte(126).writeShort(payload);
        } else {
            frame.writeByte(127).writeLong(payload);
        }
        ByteBufUtil.reserveAndWriteUtf8(frame, text, payload);
        return frame;
    }
}
