package com.parley.chat.legacy.rest;

import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.Response;

import com.parley.chat.legacy.config.LegacyConfig;

/** The one answer of this module: 410 Gone as application/problem+json with deprecation headers. */
@ApplicationScoped
public class Gone {

    public static final String PROBLEM_JSON = "application/problem+json";
    public static final String TYPE = "https://parley.chat/problems/feature-removed";
    public static final String DETAIL = "The escalation feature has been removed. Please contact support directly.";

    @Inject
    LegacyConfig config;

    public Response answer(String path) {
        Map<String, Object> problem = new LinkedHashMap<>();
        problem.put("type", TYPE);
        problem.put("title", "Gone");
        problem.put("status", 410);
        problem.put("detail", DETAIL);
        problem.put("instance", path);
        return Response.status(Response.Status.GONE)
                .type(PROBLEM_JSON)
                // RFC 9745: a structured-field date, seconds since the epoch
                .header("Deprecation", "@" + config.deprecatedAt().getEpochSecond())
                // RFC 8594: an HTTP-date
                .header("Sunset", DateTimeFormatter.RFC_1123_DATE_TIME.format(config.sunsetAt().atOffset(ZoneOffset.UTC)))
                .header("Link", "<" + config.migrationNotesUrl() + ">; rel=\"deprecation\"; type=\"text/html\"")
                .header("Cache-Control", "public, max-age=3600")
                .entity(problem)
                .build();
    }
}
