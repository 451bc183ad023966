package com.parley.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashSet;
import java.util.Set;

import org.junit.jupiter.api.Test;

class FreePortsTest {

    /**
     * A system is assembled by taking all its ports first and starting the servers after: a port
     * handed out twice made two servers of one test system fight over it (a CI run on 2026-12-07:
     * chat-api and a gateway got the same port, and every GatewayIT test failed).
     */
    @Test
    void noPortIsHandedOutTwice() {
        Set<Integer> ports = new HashSet<>();
        for (int i = 0; i < 3000; i++) {
            ports.add(FreePorts.next());
        }
        assertEquals(3000, ports.size());
    }
}
