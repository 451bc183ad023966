package com.parley.chat.gateway.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.parley.chat.gateway.client.ClientConnection;
import com.parley.chat.gateway.client.DashboardSubscription;
import com.parley.chat.gateway.client.SessionSubscription;
import com.parley.chat.gateway.client.SessionSubscription.Present;
import com.parley.chat.gateway.protocol.EventFrame;
import com.parley.chat.gateway.protocol.SessionKey;
import com.parley.chat.gateway.testing.FakeTransport;
import com.parley.chat.gateway.testing.Fixtures;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.DefaultEventLoop;
import io.netty.channel.EventLoop;

/**
 * The fan-out of a batch of events to sockets on several event loops: each event is encoded once
 * and every socket gets the same bytes, each socket is flushed once per batch, the order holds,
 * and the shared buffers are given back when every loop is done.
 */
class FanOutBatchTest {

    private final Fixtures fx = new Fixtures();
    private final SessionHub hub = new SessionHub(fx.config, fx.metrics);
    private final SessionKey a = new SessionKey("acme", "a");
    private final EventLoop loop1 = new DefaultEventLoop();
    private final EventLoop loop2 = new DefaultEventLoop();

    /** The payload of an unmasked WebSocket text frame. */
    private static byte[] payload(ByteBuf frame) {
        ByteBuf copy = frame.duplicate();
        assertEquals(0x81, copy.readUnsignedByte(), "a final text frame");
        int length = copy.readUnsignedByte();
        if (length == 126) {
            length = copy.readUnsignedShort();
        } else if (length == 127) {
            length = (int) copy.readLong();
        }
        byte[] payload = new byte[length];
        copy.readBytes(payload);
        assertEquals(0, copy.readableBytes());
        return payload;
    }

    @AfterEach
    void stopLoops() {
        loop1.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        loop2.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }

    private ClientConnection connect(String user, String role, FakeTransport socket) {
        ClientConnection connection = new ClientConnection(user, Fixtures.caller("acme", user, role), socket,
                fx.context);
        assertEquals(null, hub.register(connection));
        return connection;
    }

    private void follow(ClientConnection connection) {
        SessionSubscription subscription = new SessionSubscription(connection, a, 0, fx.context,
                () -> new Present("{\"type\":\"presence\"}", List.of(), null), false, (s, notFound) -> { });
        assertTrue(connection.add(subscription) && hub.subscribe(subscription));
        subscription.start();
    }

    private static void settle(EventLoop... loops) throws InterruptedException {
        for (EventLoop loop : loops) {
            CountDownLatch done = new CountDownLatch(1);
            loop.execute(done::countDown);
            assertTrue(done.await(5, TimeUnit.SECONDS));
        }
    }

    @Test
    void aBatchIsEncodedOncePerEventWrittenInOrderAndFlushedOncePerSocket() throws InterruptedException {
        FakeTransport first = new FakeTransport(loop1);
        FakeTransport second = new FakeTransport(loop1);
        FakeTransport third = new FakeTransport(loop2);
        FakeTransport staff = new FakeTransport(loop2);
        follow(connect("c1", "customer", first));
        follow(connect("c2", "customer", second));
        follow(connect("c3", "customer", third));
        ClientConnection dashboard = connect("sam", "supporter", staff);
        DashboardSubscription board = new DashboardSubscription(dashboard);
        assertTrue(dashboard.add(board));
        hub.subscribe(board);
        settle(loop1, loop2);
        List<FakeTransport> sockets = List.of(first, second, third, staff);
        List<Integer> before = sockets.stream().map(s -> s.frames().size()).toList();
        List<Integer> flushesBefore = sockets.stream().map(s -> s.flushedAfter().size()).toList();

        List<EventFrame> batch = List.of(fx.event(a, 1), fx.event(a, 2), fx.event(a, 3));
        hub.publish(batch);
        settle(loop1, loop2);

        for (int i = 0; i < sockets.size(); i++) {
            FakeTransport socket = sockets.get(i);
            List<String> events = socket.frames().subList(before.get(i), socket.frames().size());
            assertEquals(3, events.size(), "every socket got the three events");
            for (int k = 0; k < 3; k++) {
                assertTrue(events.get(k).contains("\"seq\":" + (k + 1)), "in order: " + events);
            }
            assertEquals(flushesBefore.get(i) + 1, socket.flushedAfter().size(), "one flush for the batch");
            assertEquals(socket.frames().size(), socket.flushedAfter().getLast());
            assertEquals(3, socket.shared().size(), "every frame came from the shared encoding");
            assertEquals(0, socket.writesOffLoop());
            for (int k = 0; k < 3; k++) {
                assertEquals(events.get(k), new String(payload(Unpooled.wrappedBuffer(socket.sharedBytes().get(k))),
                        StandardCharsets.UTF_8), "the shared bytes are the frame");
            }
        }
        for (int k = 0; k < 3; k++) {
            ByteBuf encoded = first.shared().get(k);
            assertSame(encoded, second.shared().get(k), "one encoding per event, the same bytes for every socket");
            assertSame(encoded, third.shared().get(k), "and on every event loop");
            assertEquals(0, encoded.refCnt(), "given back once every loop was done");
        }
        assertEquals(12.0, fx.registry.get("parley.gateway.frames.delivered").counter().count());
        assertEquals(6L, fx.registry.get("parley.gateway.delivery.latency").timer().count(),
                "latency sampled once per event and event loop, not per socket");
    }
}
