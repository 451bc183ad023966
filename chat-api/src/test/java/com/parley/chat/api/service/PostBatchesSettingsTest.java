package com.parley.chat.api.service;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.reflect.Proxy;

import org.junit.jupiter.api.Test;

import com.parley.chat.api.config.ChatApiConfig;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/** Settings under which no post could be written stop chat-api at its start, with the property named. */
class PostBatchesSettingsTest {

    @Test
    void noWriterOrAnEmptyStatementIsRefused() {
        IllegalArgumentException writers = assertThrows(IllegalArgumentException.class,
                () -> new PostBatches(null, config(0, 32), new SimpleMeterRegistry()));
        assertEquals("parley.chat-api.posts.writers must be at least 1, not 0", writers.getMessage());
        IllegalArgumentException batch = assertThrows(IllegalArgumentException.class,
                () -> new PostBatches(null, config(1, -1), new SimpleMeterRegistry()));
        assertEquals("parley.chat-api.posts.max-batch must be at least 1, not -1", batch.getMessage());
        assertDoesNotThrow(() -> new PostBatches(null, config(1, 1), new SimpleMeterRegistry()));
    }

    private static ChatApiConfig config(int writers, int maxBatch) {
        ChatApiConfig.Posts posts = (ChatApiConfig.Posts) Proxy.newProxyInstance(
                ChatApiConfig.class.getClassLoader(), new Class<?>[] { ChatApiConfig.Posts.class },
                (proxy, method, args) -> switch (method.getName()) {
                    case "writers" -> writers;
                    case "maxBatch" -> maxBatch;
                    default -> throw new UnsupportedOperationException(method.getName());
                });
        return (ChatApiConfig) Proxy.newProxyInstance(ChatApiConfig.class.getClassLoader(),
                new Class<?>[] { ChatApiConfig.class }, (proxy, method, args) -> {
                    if (method.getName().equals("posts")) {
                        return posts;
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
    }
}
