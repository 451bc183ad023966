package com.parley.chat.api.rest;

import java.util.LinkedHashMap;
import java.util.Map;

import jakarta.ws.rs.core.Response;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/** An RFC 9457 problem document. */
@JsonPropertyOrder({"type", "title", "status", "detail", "instance"})
public record Problem(String type, String title, int status, String detail, String instance,
        @com.fasterxml.jackson.annotation.JsonIgnore Map<String, Object> extensions) {

    public static final String MEDIA_TYPE = "application/problem+json";

    @JsonAnyGetter
    public Map<String, Object> extensionMembers() {
        return extensions == null ? Map.of() : new LinkedHashMap<>(extensions);
    }

    public Response toResponse() {
        return Response.status(status).type(MEDIA_TYPE).entity(this).build();
    }
}
