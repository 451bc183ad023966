package com.parley.chat.legacy.rest;

import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.Response;

import com.parley.chat.legacy.config.LegacyConfig;

import io.micrometer.core.instrument.MeterRegistry;

/** The one answer of this module: 410 Gone as application/problem+json with deprecation headers. */
@ApplicationScoped
public class Gone {

    /** IMF-fixdate (RFC 9110, 5.6.7): the one HTTP-date form a sender may write. */
    private static final DateTimeFormatter HTTP_DATE =
            DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.ENGLISH);

    public static final String PROBLEM_JSON = "application/problem+json";
    public static final String TYPE = "https://parley.chat/problems/feature-removed";
    public static final String DETAIL = "The escalation feature has been removed. Please contact support directly.";

    @Inject
    LegacyConfig config;

    @Inject
    MeterRegistry registry;

    /** The answer, counted by removed route and client family ({@code parley_legacy_gone_total}). */
    public Response answer(String path, String userAgent) {
        registry.counter("parley.legacy.gone", "route", route(path), "client", clientFamily(userAgent)).increment();
        return answer(path);
    }

    /** Which removed API a path belongs to (a fixed set: the metric's cardinality stays small). */
    static String route(String path) {
        if (path.startsWith("/api/admin/escalations")) {
            return "admin-escalations";
        }
        if (path.contains("/supporter-chat")) {
            return "supporter-chat";
        }
        if (path.contains("/supporters")) {
            return "supporters";
        }
        return path.endsWith("/escalate") ? "escalate" : "other";
    }

    /** The kind of client, from its User-Agent: enough to tell old apps from scripts. */
    static String clientFamily(String userAgent) {
        if (userAgent == null || userAgent.isBlank()) {
            return "none";
        }
        String ua = userAgent.toLowerCase(java.util.Locale.ROOT);
        if (ua.contains("mozilla")) {
            return "browser";
        }
        if (ua.startsWith("curl") || ua.startsWith("wget") || ua.startsWith("httpie")) {
            return "cli";
        }
        if (ua.contains("okhttp") || ua.contains("java") || ua.contains("python") || ua.contains("node")
                || ua.contains("axios") || ua.contains("go-http-client") || ua.contains("apache-httpclient")) {
            return "library";
        }
        return "other";
    }

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
                // RFC 8594: an HTTP-date, which is IMF-fixdate (RFC_1123_DATE_TIME writes "1 Jun", not "01 Jun")
                .header("Sunset", HTTP_DATE.format(config.sunsetAt().atOffset(ZoneOffset.UTC)))
                .header("Link", "<" + config.migrationNotesUrl() + ">; rel=\"deprecation\"; type=\"text/html\"")
                .header("Cache-Control", "public, max-age=3600")
                .entity(problem)
                .build();
    }
}
