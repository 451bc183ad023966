package com.parley.chat.api.rest;

import jakarta.inject.Singleton;

import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.jackson.ObjectMapperCustomizer;

/**
 * Characters beyond U+FFFF (emoji) are written as their four UTF-8 bytes. Jackson's UTF-8 writer
 * otherwise escapes each as a pair of escaped surrogates, twelve bytes: a history page of an
 * emoji-rich chat was three times its size, and the gateways' frames and the Kafka events carry them
 * raw already.
 */
@Singleton
public class RawEmoji implements ObjectMapperCustomizer {

    @Override
    public void customize(ObjectMapper mapper) {
        mapper.getFactory().configure(JsonWriteFeature.COMBINE_UNICODE_SURROGATES_IN_UTF8.mappedFeature(), true);
    }
}
