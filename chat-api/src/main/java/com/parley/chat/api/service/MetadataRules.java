package com.parley.chat.api.service;

import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.parley.chat.api.config.ChatApiConfig;

/** Free-form metadata is a JSON object of bounded size. */
@ApplicationScoped
public class MetadataRules {

    @Inject
    ObjectMapper json;

    @Inject
    ChatApiConfig config;

    public Map<String, Object> check(Map<String, Object> metadata) {
        if (metadata == null) {
            return null;
        }
        if (!finite(metadata)) {
            // Jackson reads 1e999999 as an infinite double and writes it as the string "Infinity"
            throw Problems.validation("metadata holds a number beyond what it can store (at most about 1.8e308).",
                    "metadata");
        }
        try {
            // PostgreSQL's jsonb cannot hold NUL: refused here as bad input, not a 500 at insert
            String text = json.writeValueAsString(metadata);
            if (text.contains("\\u0000")) {
                throw Problems.validation("metadata must not contain NUL characters.", "metadata");
            }
            PlainText.check(text, "metadata"); // keys and values: half a surrogate pair
            int size = text.getBytes(StandardCharsets.UTF_8).length; // the JSON as stored, in bytes
            int max = config.messages().maxMetadataBytes();
            if (size > max) {
                throw Problems.validation("metadata is " + size + " bytes; at most " + max + " are allowed.",
                        "metadata");
            }
            return metadata;
        } catch (JsonProcessingException e) {
            throw Problems.validation("metadata is not serializable JSON.", "metadata");
        }
    }

    /** Every number in the value, at any depth, is finite. */
    private static boolean finite(Object value) {
        return switch (value) {
            case Double d -> Double.isFinite(d);
            case Float f -> Float.isFinite(f);
            case Map<?, ?> map -> map.values().stream().allMatch(MetadataRules::finite);
            case Collection<?> list -> list.stream().allMatch(MetadataRules::finite);
            case null, default -> true;
        };
    }
}
