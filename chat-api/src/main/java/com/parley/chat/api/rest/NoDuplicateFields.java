package com.parley.chat.api.rest;

import jakarta.inject.Singleton;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.jackson.ObjectMapperCustomizer;

/**
 * A body that names a field twice is refused (400 {@code malformed-body} naming it): Jackson would
 * take the last value, while a proxy or a filter in front of chat-api may have judged the first.
 */
@Singleton
public class NoDuplicateFields implements ObjectMapperCustomizer {

    @Override
    public void customize(ObjectMapper mapper) {
        mapper.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    }
}
