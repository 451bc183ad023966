package com.parley.chat.gateway.protocol;

import java.util.regex.Pattern;

/**
 * What a client subscribes to on its connection (docs/protocol.md): {@code session:<id>} (a
 * participant of that session), {@code dashboard} (staff: every session event of the tenant),
 * {@code operators} (staff: operator status) and {@code stats} (admins: live figures).
 */
public record Channel(Kind kind, String sessionId) {

    public enum Kind { SESSION, DASHBOARD, OPERATORS, STATS }

    public static final Channel DASHBOARD = new Channel(Kind.DASHBOARD, null);
    public static final Channel OPERATORS = new Channel(Kind.OPERATORS, null);
    public static final Channel STATS = new Channel(Kind.STATS, null);

    private static final String SESSION_PREFIX = "session:";
    /** Session ids are UUIDs; anything of that alphabet and size is let through to be judged by access. */
    private static final Pattern SESSION_ID = Pattern.compile("[A-Za-z0-9-]{1,64}");

    public static Channel session(String sessionId) {
        return new Channel(Kind.SESSION, sessionId);
    }

    /** The channel a name stands for; null when it names none. */
    public static Channel parse(String name) {
        if (name == null) {
            return null;
        }
        return switch (name) {
            case "dashboard" -> DASHBOARD;
            case "operators" -> OPERATORS;
            case "stats" -> STATS;
            default -> name.startsWith(SESSION_PREFIX)
                    && SESSION_ID.matcher(name.substring(SESSION_PREFIX.length())).matches()
                            ? session(name.substring(SESSION_PREFIX.length())) : null;
        };
    }

    /** The name on the wire. */
    public String name() {
        return switch (kind) {
            case SESSION -> SESSION_PREFIX + sessionId;
            case DASHBOARD -> "dashboard";
            case OPERATORS -> "operators";
            case STATS -> "stats";
        };
    }

    @Override
    public String toString() {
        return name();
    }
}
