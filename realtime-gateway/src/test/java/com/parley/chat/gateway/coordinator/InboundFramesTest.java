package com.parley.chat.gateway.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import com.parley.chat.gateway.client.ClientConnection;
import com.parley.chat.gateway.testing.FakeTransport;
import com.parley.chat.gateway.testing.Fixtures;

/** Inbound frames against the limits: every frame counts, whatever its size. */
class InboundFramesTest {

    private final Fixtures fx = new Fixtures("limits.inbound-rate-per-second", "0.001", "limits.inbound-burst", "5",
            "limits.flood-close-after", "10", "limits.max-frame-bytes", "1024");

    private InboundFrames inbound() {
        InboundFrames inbound = new InboundFrames();
        inbound.frames = fx.frames;
        inbound.config = fx.config;
        return inbound;
    }

    @Test
    void framesBetweenTheSoftAndTheHardCapTakeATokenTooAndAFloodOfThemIsClosed() {
        FakeTransport socket = new FakeTransport();
        ClientConnection client = new ClientConnection("c", Fixtures.caller("acme", "mallory", "user"), socket,
                fx.context);
        InboundFrames inbound = inbound();
        String large = "{\"type\":\"ping\",\"pad\":\"" + "x".repeat(4000) + "\"}"; // over the soft cap
        for (int i = 0; i < 40 && socket.closeCode() == 0; i++) {
            inbound.handle(client, large);
        }
        List<String> codes = socket.json().stream().map(f -> f.path("code").asText()).toList();
        assertEquals(List.of("frame_too_large", "frame_too_large", "frame_too_large", "frame_too_large",
                "frame_too_large"), codes.subList(0, 5), "the burst");
        assertTrue(codes.subList(5, codes.size()).stream().allMatch("rate_limited"::equals), codes.toString());
        assertEquals(1008, socket.closeCode(), "a flood of large frames is closed like any flood");
    }
}
