package com.parley.chat.api.domain;

import java.util.Arrays;
import java.util.Optional;

import com.fasterxml.jackson.annotation.JsonValue;

public enum SessionStatus {
    OPEN, CLOSED, RESOLVED;

    @JsonValue
    public String wireName() {
        return name().toLowerCase();
    }

    public static Optional<SessionStatus> fromWire(String value) {
        return Arrays.stream(values()).filter(s -> s.wireName().equals(value)).findFirst();
    }
}
