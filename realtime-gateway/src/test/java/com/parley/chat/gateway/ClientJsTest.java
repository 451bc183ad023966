package com.parley.chat.gateway;

import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** The browser client's backoff, queue, de-duplication and reconnect logic, under Node's test runner. */
class ClientJsTest {

    @TestFactory
    Stream<DynamicTest> clientUnitTests() {
        return NodeRunner.test(Map.of(), 120, "client.test.mjs");
    }
}
