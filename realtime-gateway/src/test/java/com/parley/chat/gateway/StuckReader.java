package com.parley.chat.gateway;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A WebSocket client on a bare TCP socket that completes the handshake and then reads nothing, with
 * a small receive buffer: a browser tab frozen by the OS, as seen from the server. (The JDK's
 * client keeps reading into its own buffers, so it cannot play this part.) {@link #drain} later
 * reads what the server left on the wire and says how the connection ended.
 */
final class StuckReader implements AutoCloseable {

    enum End {
        /** the server reset the connection */
        RESET,
        /** the server closed its side after the bytes it had sent */
        EOF,
        /** still open when the reading stopped */
        OPEN
    }

    /** What {@link #drain} saw: the close code of a close frame (0 if none came) and how it ended. */
    record Drained(int closeCode, End end, long bytes) {
    }

    private final Socket socket = new Socket();

    StuckReader(int port, String path, String token) throws IOException {
        socket.setReceiveBufferSize(4096);
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        byte[] nonce = new byte[16];
        ThreadLocalRandom.current().nextBytes(nonce);
        String request = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: "
                + Base64.getEncoder().encodeToString(nonce) + "\r\nAuthorization: Bearer " + token + "\r\n\r\n";
        socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
        socket.setSoTimeout(10_000);
        String head = readHead(socket.getInputStream());
        if (!head.startsWith("HTTP/1.1 101")) {
            throw new IOException("upgrade refused: " + head.lines().findFirst().orElse(head));
        }
    }

    /** Reads everything the server sends for at most {@code patience} after the last byte. */
    Drained drain(Duration patience) throws IOException {
        socket.setSoTimeout((int) patience.toMillis());
        InputStream in = socket.getInputStream();
        FrameScanner frames = new FrameScanner();
        byte[] buffer = new byte[64 * 1024];
        long total = 0;
        try {
            for (int n; (n = in.read(buffer)) >= 0;) {
                total += n;
                frames.feed(buffer, n);
            }
            return new Drained(frames.closeCode, End.EOF, total);
        } catch (SocketTimeoutException e) {
            return new Drained(frames.closeCode, End.OPEN, total);
        } catch (SocketException e) {
            return new Drained(frames.closeCode, End.RESET, total);
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        byte[] end = "\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        while (matched < end.length) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            head.write(b);
            matched = b == end[matched] ? matched + 1 : (b == end[0] ? 1 : 0);
        }
        return head.toString(StandardCharsets.US_ASCII);
    }

    /** Follows server frames (never masked) across reads, remembering a close frame's code. */
    private static final class FrameScanner {
        private final ByteArrayOutputStream header = new ByteArrayOutputStream();
        private long payloadLeft;
        private boolean inClose;
        private final ByteArrayOutputStream closePayload = new ByteArrayOutputStream();
        int closeCode;

        void feed(byte[] bytes, int length) {
            for (int i = 0; i < length; i++) {
                if (payloadLeft > 0) {
                    int take = (int) Math.min(payloadLeft, length - i);
                    if (inClose) {
                        closePayload.write(bytes, i, take);
                    }
                    payloadLeft -= take;
                    i += take - 1;
                    if (payloadLeft == 0) {
                        frameDone();
                    }
                    continue;
                }
                header.write(bytes[i]);
                byte[] h = header.toByteArray();
                if (h.length < 2) {
                    continue;
                }
                int lengthCode = h[1] & 0x7f;
                int needed = lengthCode == 126 ? 4 : lengthCode == 127 ? 10 : 2;
                if (h.length < needed) {
                    continue;
                }
                long payload = lengthCode < 126 ? lengthCode : 0;
                for (int k = 2; k < needed; k++) {
                    payload = (payload << 8) | (h[k] & 0xff);
                }
                inClose = (h[0] & 0x0f) == 0x8;
                header.reset();
                payloadLeft = payload;
                if (payload == 0) {
                    frameDone();
                }
            }
        }

        private void frameDone() {
            if (inClose) {
                byte[] p = closePayload.toByteArray();
                closeCode = p.length >= 2 ? ((p[0] & 0xff) << 8) | (p[1] & 0xff) : 1005;
                closePayload.reset();
                inClose = false;
            }
        }
    }
}
