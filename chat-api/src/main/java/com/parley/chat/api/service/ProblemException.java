package com.parley.chat.api.service;

import java.util.Map;

/** A failure the client caused or must know about; leaves as application/problem+json. */
public class ProblemException extends RuntimeException {

    private final int status;
    private final String type;
    private final String title;
    private final transient Map<String, Object> extensions;

    public ProblemException(int status, String type, String title, String detail, Map<String, Object> extensions) {
        super(detail, null, false, false);
        this.status = status;
        this.type = type;
        this.title = title;
        this.extensions = extensions == null ? Map.of() : Map.copyOf(extensions);
    }

    public int status() {
        return status;
    }

    public String type() {
        return type;
    }

    public String title() {
        return title;
    }

    public String detail() {
        return getMessage();
    }

    public Map<String, Object> extensions() {
        return extensions;
    }
}
