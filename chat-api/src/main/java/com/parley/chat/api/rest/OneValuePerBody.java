package com.parley.chat.api.rest;

import jakarta.inject.Singleton;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.jackson.ObjectMapperCustomizer;

/**
 * A body holding anything but white space after its JSON value is refused (400 {@code malformed-body}):
 * Jackson would read the first value and drop the rest, so two messages run together in one body
 * (a client's bug) would store the first and lose the second without a word.
 */
@Singleton
public class OneValuePerBody implements ObjectMapperCustomizer {

    @Override
    public void customize(ObjectMapper mapper) {
        mapper.enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    }
}
