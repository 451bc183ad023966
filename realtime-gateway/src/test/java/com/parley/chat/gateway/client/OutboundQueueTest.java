package com.parley.chat.gateway.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import com.parley.chat.gateway.testing.FakeTransport;
import com.parley.chat.gateway.testing.Fixtures;

import io.netty.channel.DefaultEventLoop;
import io.netty.channel.EventLoop;

/** The outbound queue: order across threads, the byte bound, and stall detection. */
class OutboundQueueTest {

    private final Fixtures fx = new Fixtures();

    @Test
    void framesOfferedFromOtherThreadsReachTheSocketInOfferOrderOnItsLoop() throws InterruptedException {
        EventLoop loop = new DefaultEventLoop();
        FakeTransport transport = new FakeTransport(loop);
        OutboundQueue queue = new OutboundQueue(transport, 1 << 20, Duration.ofSeconds(10), fx.metrics);
        for (int i = 0; i < 1000; i++) {
            assertTrue(queue.offer("f" + i, i + 1));
        }
        CountDownLatch done = new CountDownLatch(1);
        loop.execute(done::countDown);
        assertTrue(done.await(5, TimeUnit.SECONDS));
        loop.shutdownGracefully();
        List<String> written = transport.frames();
        assertEquals(1000, written.size());
        for (int i = 0; i < 1000; i++) {
            assertEquals("f" + i, written.get(i));
        }
        assertEquals(0, transport.writesOffLoop(), "every write ran on the socket's event loop");
        assertEquals(1000, transport.flushedAfter().getLast(), "the last write was flushed");
        assertEquals(0, queue.pendingBytes());
        assertEquals(1000.0, fx.registry.get("parley.gateway.frames.delivered").counter().count());
    }

    @Test
    void aClientThatDoesNotReadIsRefusedBeyondTheByteBoundAndStalls() throws InterruptedException {
        FakeTransport transport = new FakeTransport();
        transport.stopReading();
        OutboundQueue queue = new OutboundQueue(transport, 100, Duration.ofMillis(30), fx.metrics);
        assertTrue(queue.offer("x".repeat(60), 1));
        assertFalse(queue.stalled(), "waiting, but not for long yet");
        assertFalse(queue.offer("y".repeat(60), 2), "160 bytes would wait: refused");
        assertTrue(queue.offer("z".repeat(40), 3), "100 bytes fit");
        Thread.sleep(50);
        assertTrue(queue.stalled());
        assertEquals(100, queue.pendingBytes());
    }

    @Test
    void aReadingClientNeverStalls() throws InterruptedException {
        OutboundQueue queue = new OutboundQueue(new FakeTransport(), 100, Duration.ofMillis(10), fx.metrics);
        for (int i = 0; i < 50; i++) {
            assertTrue(queue.offer("x".repeat(60), i + 1));
        }
        Thread.sleep(20);
        assertFalse(queue.stalled());
    }

    @Test
    void aPingOnItsWayOutOfAnIdleSocketIsNotAStall() throws InterruptedException {
        FakeTransport transport = new FakeTransport();
        OutboundQueue queue = new OutboundQueue(transport, 1000, Duration.ofMillis(30), fx.metrics);
        assertTrue(queue.offer("x".repeat(60), 1));
        Thread.sleep(50); // idle for longer than the stall timeout: the last frame was taken 50 ms ago
        transport.pendingOutsideQueue(6); // a ping written, not flushed yet, when the sweep looks
        assertFalse(queue.stalled(), "a ping on its way out is none of the client's frames waiting");

        transport.stopReading(); // now the client's own frame waits
        assertTrue(queue.offer("y".repeat(60), 2));
        assertFalse(queue.stalled(), "waiting, but not for long yet");
        Thread.sleep(50);
        assertTrue(queue.stalled(), "a frame not taken for the stall timeout");
    }

    @Test
    void aFullQueueClosesTheClientAsASlowConsumerWith1013() {
        Fixtures small = new Fixtures("limits.outbound-queue-bytes", "100");
        FakeTransport transport = new FakeTransport();
        transport.stopReading();
        ClientConnection client = new ClientConnection("d", Fixtures.caller("acme", "sam", "supporter"), transport,
                small.context);
        client.send("x".repeat(80));
        client.send("y".repeat(80));
        assertEquals(1013, transport.closeCode());
        assertEquals("slow consumer: outbound queue full", transport.closeReason());
        assertEquals(1.0, small.registry.get("parley.gateway.slow_consumer.closes").counter().count());
    }

    @Test
    void theBoundCountsTheBytesOnTheWireNotJavaChars() {
        FakeTransport transport = new FakeTransport();
        transport.stopReading();
        OutboundQueue queue = new OutboundQueue(transport, 300, Duration.ofSeconds(10), fx.metrics);
        String cyrillic = "\u0416".repeat(60); // 60 chars, 120 bytes in UTF-8
        assertTrue(queue.offer(cyrillic, 1));
        assertTrue(queue.offer(cyrillic, 2));
        assertEquals(240, queue.pendingBytes());
        assertFalse(queue.offer(cyrillic, 3), "360 bytes would wait: over the 300-byte bound (180 chars is not)");
        String emoji = "\uD83D\uDE00".repeat(10); // 20 chars, 40 bytes
        assertTrue(queue.offer(emoji, 3));
        assertEquals(280, queue.pendingBytes());
    }

    @Test
    void aFloodIsRefusedFrameByFrameThenClosedWith1008() {
        Fixtures fast = new Fixtures("limits.inbound-rate-per-second", "0.001", "limits.inbound-burst", "3",
                "limits.flood-close-after", "5");
        FakeTransport transport = new FakeTransport();
        ClientConnection client = new ClientConnection("d", Fixtures.caller("acme", "sam", "supporter"), transport,
                fast.context);
        List<Boolean> admitted = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            admitted.add(client.admitInbound());
        }
        assertEquals(List.of(true, true, true, false, false, false, false, false), admitted);
        assertEquals(1008, transport.closeCode());
        assertEquals("too many frames", transport.closeReason());
    }
}
