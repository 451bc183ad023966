package com.parley.chat.api.domain;

import com.fasterxml.jackson.annotation.JsonValue;

/** The role a message is written in; it always comes from the caller's token. */
public enum Role {
    USER, ASSISTANT, SUPPORTER, ADMIN;

    @JsonValue
    public String wireName() {
        return name().toLowerCase();
    }

    public boolean isStaff() {
        return this == SUPPORTER || this == ADMIN || this == ASSISTANT;
    }
}
