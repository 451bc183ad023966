package com.parley.infra;

import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * The Quarkus test resource every service's tests use: real PostgreSQL and real Kafka, shared by
 * all test classes of one JVM.
 */
public class ChatInfraResource implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        return ChatInfra.get().serviceConfig();
    }

    @Override
    public void stop() {
        // the infrastructure outlives a single test class; ChatInfra stops it when the JVM exits
    }
}
