package com.parley.chat.api.rest;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.UUID;

import com.parley.chat.api.domain.ChatSession;
import com.parley.chat.api.domain.ChatSession.ClaimFilter;
import com.parley.chat.api.service.Problems;

/**
 * A session list's {@code next_cursor}: where its page ended, in the list's own order, opaque to
 * clients. Paging on from it shows each session once however many start meanwhile; a page number
 * shifts by one for every session that starts or comes back to the top while a client pages.
 */
final class SessionCursor {

    /** Longer than any cursor this class writes. */
    private static final int MAX_LENGTH = 200;

    private SessionCursor() {
    }

    static String of(ClaimFilter claim, ChatSession.Position position) {
        String raw = order(claim) + "|" + position.at() + "|" + position.id();
        return Base64.getUrlEncoder().withoutPadding().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
    }

    /** The position {@code cursor} names, for a list filtered by {@code claim}; a 400 problem if it is not one. */
    static ChatSession.Position parse(String cursor, ClaimFilter claim) {
        String[] parts;
        try {
            if (cursor.length() > MAX_LENGTH) {
                throw new IllegalArgumentException("too long");
            }
            parts = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8).split("\\|", -1);
            if (parts.length != 3) {
                throw new IllegalArgumentException("not three parts");
            }
            ChatSession.Position position = new ChatSession.Position(Instant.parse(parts[1]),
                    UUID.fromString(parts[2]));
            if (!parts[0].equals(order(claim))) {
                throw Problems.badRequest("cursor belongs to a list in another order (claim=unclaimed is the queue, "
                        + "oldest first; the others newest activity first): page on with the same claim.");
            }
            return position;
        } catch (IllegalArgumentException | java.time.DateTimeException e) {
            throw Problems.badRequest("cursor is not one this list gave: pass its next_cursor as it came.");
        }
    }

    private static String order(ClaimFilter claim) {
        return claim == ClaimFilter.UNCLAIMED ? "queue" : "activity";
    }
}
