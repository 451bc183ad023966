package com.parley.chat.api.service;

/**
 * Text that chat-api stores as it was given. PostgreSQL's {@code text} and {@code jsonb} hold
 * neither a NUL character nor half of a UTF-16 surrogate pair (JSON allows the escape of U+D800
 * alone; the driver would store it as {@code ?}, so the answer to the post and what
 * history and the event carry would differ, and a retry with such a {@code client_message_id} would
 * not find its first attempt). Both are refused as bad input.
 */
final class PlainText {

    private PlainText() {
    }

    /** Why {@code value} cannot be stored as it is ("must not …"), or null when it can. */
    static String flaw(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\u0000') {
                return "must not contain NUL characters";
            }
            if (Character.isHighSurrogate(c) && i + 1 < value.length()
                    && Character.isLowSurrogate(value.charAt(i + 1))) {
                i++; // a whole pair: one character outside the basic plane
            } else if (Character.isSurrogate(c)) {
                return "must be valid Unicode text (it holds half of a surrogate pair)";
            }
        }
        return null;
    }

    /**
     * {@code value} without the blanks at its ends: white space as {@link String#strip()} knows it, and what it
     * does not — the no-break spaces and other space separators, the byte-order mark — as the browser client's
     * {@code String.prototype.trim()} trims them, so that a post of the widget and one over REST are stored alike.
     */
    static String trim(String value) {
        int start = 0;
        int end = value.length();
        while (start < end && isBlank(value.codePointAt(start))) {
            start += Character.charCount(value.codePointAt(start));
        }
        while (end > start && isBlank(value.codePointBefore(end))) {
            end -= Character.charCount(value.codePointBefore(end));
        }
        return value.substring(start, end);
    }

    /**
     * Whether a reader would see nothing of {@code value}: it holds only white space, space separators and
     * invisible characters (format characters such as the zero-width space, control characters).
     */
    static boolean looksEmpty(String value) {
        return value.codePoints().allMatch(c -> isBlank(c) || Character.getType(c) == Character.FORMAT
                || Character.getType(c) == Character.CONTROL);
    }

    private static boolean isBlank(int c) {
        return Character.isWhitespace(c) || Character.isSpaceChar(c) || c == '\uFEFF' || c == '\u200B';
    }

    /**
     * A message's text as it is stored (and a saved reply's or a note's, which follow its rules):
     * trimmed, not empty or invisible, at most {@code max} characters, storable; else a 422 naming
     * {@code content}.
     */
    static String content(String raw, int max) {
        if (raw == null) {
            throw Problems.validation("content is required.", "content");
        }
        String content = trim(raw);
        if (looksEmpty(content)) {
            throw Problems.validation("content must not be empty or only white space.", "content");
        }
        if (content.codePointCount(0, content.length()) > max) {
            throw Problems.validation("content is longer than " + max + " characters.", "content");
        }
        check(content, "content");
        return content;
    }

    /** Refuses {@code value} of {@code field} with a 422 naming the field when it cannot be stored. */
    static void check(String value, String field) {
        String flaw = flaw(value);
        if (flaw != null) {
            throw Problems.validation(field + " " + flaw + ".", field);
        }
    }
}
