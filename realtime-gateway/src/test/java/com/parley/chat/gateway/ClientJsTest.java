package com.parley.chat.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;

import org.junit.jupiter.api.Test;

/** The browser client's backoff, queue, de-duplication and reconnect logic, under Node's test runner. */
class ClientJsTest {

    @Test
    void clientUnitTestsPass() {
        assertEquals(0, NodeRunner.test(Map.of(), 120, "client.test.mjs"), "node --test client.test.mjs");
    }
}
