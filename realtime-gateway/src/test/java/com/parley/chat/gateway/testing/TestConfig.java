package com.parley.chat.gateway.testing;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import com.parley.chat.gateway.config.GatewayConfig;

import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;

/** The gateway's configuration as the service reads it (its defaults), with a test's overrides. */
public final class TestConfig {

    private TestConfig() {
    }

    /** @param overrides pairs of property names (without the parley.gateway. prefix) and values */
    public static GatewayConfig gateway(String... overrides) {
        Map<String, String> properties = new HashMap<>();
        for (int i = 0; i < overrides.length; i += 2) {
            properties.put("parley.gateway." + overrides[i], overrides[i + 1]);
        }
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .withMapping(GatewayConfig.class)
                .withConverter(Duration.class, 200, new DurationConverter()) // "30S", "100ms" as Quarkus reads them
                .withSources(new PropertiesConfigSource(properties, "test", 500))
                .build();
        return config.getConfigMapping(GatewayConfig.class);
    }
}
