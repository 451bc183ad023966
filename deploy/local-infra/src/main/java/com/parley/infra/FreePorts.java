package com.parley.infra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Picks free loopback ports for servers started by tests and the local system, each port once per
 * JVM: a system takes all its ports before it starts its servers, and the kernel hands the same
 * free port out again as soon as the probe closes it (3,000 probes gave 2,424 ports), which made two
 * servers of one system fight over a port.
 */
public final class FreePorts {

    private static final int ATTEMPTS = 1000;
    private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

    private FreePorts() {
    }

    public static int next() {
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            int port = probe();
            if (HANDED_OUT.add(port)) {
                return port;
            }
        }
        throw new IllegalStateException("no free loopback port that was not handed out before, after " + ATTEMPTS
                + " tries");
    }

    private static int probe() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
