package com.parley.chat.api.service;

import java.time.Duration;
import java.util.Map;

/**
 * The catalogue of problem types chat-api answers with; each {@code type} URI is stable and
 * documented in docs/errors.md.
 */
public final class Problems {

    public static final String BASE = "https://parley.chat/problems/";

    private Problems() {
    }

    public static ProblemException validation(String detail, String field) {
        return new ProblemException(422, BASE + "validation-failed", "Request is not valid", detail,
                field == null ? Map.of() : Map.of("field", field));
    }

    public static ProblemException badRequest(String detail) {
        return new ProblemException(400, BASE + "bad-request", "Bad request", detail, null);
    }

    public static ProblemException unauthorized(String detail) {
        return new ProblemException(401, BASE + "unauthorized", "Authentication required", detail, null);
    }

    public static ProblemException forbidden(String detail) {
        return new ProblemException(403, BASE + "forbidden", "Forbidden", detail, null);
    }

    public static ProblemException tenantMismatch() {
        return new ProblemException(403, BASE + "tenant-mismatch", "Forbidden",
                "The token belongs to another tenant than the one in the path.", null);
    }

    public static ProblemException sessionNotFound() {
        return new ProblemException(404, BASE + "session-not-found", "Session not found",
                "No such session in this tenant.", null);
    }

    public static ProblemException messageNotFound() {
        return new ProblemException(404, BASE + "message-not-found", "Message not found",
                "No such message in this session.", null);
    }

    public static ProblemException sessionNotOpen(String status) {
        return new ProblemException(409, BASE + "session-not-open", "Session is not open",
                "The session is " + status + "; it accepts no more changes.", Map.of("session_status", status));
    }

    public static ProblemException sessionStillOpen() {
        return new ProblemException(409, BASE + "session-still-open", "Session is still open",
                "A chat is rated once it is closed or resolved.", Map.of("session_status", "open"));
    }

    public static ProblemException sessionClaimed(String holder) {
        return new ProblemException(409, BASE + "session-claimed", "Session claimed",
                "Another staff member holds this session.", Map.of("claimed_by", holder));
    }

    public static ProblemException sessionBusy() {
        return new ProblemException(503, BASE + "session-busy", "Session busy",
                "This session is taking more writes than it can store right now; retry after 1 s.",
                Map.of("retry_after", 1L));
    }

    /** 503: a search read for longer than its timeout and was stopped. */
    public static ProblemException searchTooSlow(Duration timeout) {
        return new ProblemException(503, BASE + "search-too-slow", "Search too slow",
                "The search read the tenant's messages for longer than " + timeout.toMillis() + " ms and was stopped: "
                        + "the tenant has too many messages to search without the search index, which its "
                        + "operators can add (docs/operations.md, \"Searching chats on a large tenant\").", null);
    }

    /** 429 with the seconds to wait (sent as Retry-After too). */
    public static ProblemException tooManyWrites(String who, long retryAfterSeconds) {
        return new ProblemException(429, BASE + "too-many-writes", "Too many writes",
                "Too many new sessions or messages from " + who + "; retry after " + retryAfterSeconds + " s.",
                Map.of("retry_after", retryAfterSeconds));
    }

    public static ProblemException clientMessageIdTaken() {
        return new ProblemException(409, BASE + "client-message-id-taken", "client_message_id already used",
                "Another participant of this session already sent a message with this client_message_id;"
                        + " use a new one (a random UUID).", null);
    }

    public static ProblemException noteNotFound() {
        return new ProblemException(404, BASE + "note-not-found", "Note not found",
                "No such note on this session.", null);
    }

    public static ProblemException savedReplyNotFound() {
        return new ProblemException(404, BASE + "saved-reply-not-found", "Saved reply not found",
                "No such saved reply in this tenant.", null);
    }

    public static ProblemException shortcutTaken(String shortcut) {
        return new ProblemException(409, BASE + "shortcut-taken", "Shortcut taken",
                "Another saved reply of this tenant has the shortcut /" + shortcut + ".", Map.of("shortcut", shortcut));
    }

    public static ProblemException savedRepliesFull(int max) {
        return new ProblemException(409, BASE + "saved-replies-full", "Too many saved replies",
                "The tenant keeps " + max + " saved replies, as many as it may; delete one first.",
                Map.of("max_replies", max));
    }

    public static ProblemException payloadTooLarge(int maxBytes) {
        return new ProblemException(413, BASE + "payload-too-large", "Payload too large",
                "The request body is larger than " + maxBytes + " bytes.", Map.of("max_bytes", maxBytes));
    }
}
