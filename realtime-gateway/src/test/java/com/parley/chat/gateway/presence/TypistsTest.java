package com.parley.chat.gateway.presence;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import com.parley.chat.gateway.protocol.SessionKey;

/** Who is typing now: said so within the last ten seconds, and not stopped since. */
class TypistsTest {

    private final AtomicLong now = new AtomicLong();
    private final Typists typists = new Typists(now::get);
    private final SessionKey session = new SessionKey("acme", "s");

    @Test
    void aTypistCountsUntilTheyStopOrSayNothingForTenSeconds() {
        typists.typing(session, "alice", true, "alice types");
        typists.typing(session, "sam", true, "sam types");
        assertEquals(List.of("alice types", "sam types"), typists.current(session).stream().sorted().toList());
        typists.typing(session, "sam", false, null);
        assertEquals(List.of("alice types"), typists.current(session));
        assertEquals(List.of(), typists.current(new SessionKey("other", "s")), "another tenant's session");

        now.addAndGet(Typists.FORGOTTEN.toNanos() - 1);
        assertEquals(List.of("alice types"), typists.current(session));
        typists.typing(session, "alice", true, "alice types on"); // her 5-second refresh
        now.addAndGet(Typists.FORGOTTEN.toNanos() - 1);
        assertEquals(List.of("alice types on"), typists.current(session));
        now.addAndGet(1);
        assertEquals(List.of(), typists.current(session), "a stop lost with its connection: forgotten");
    }

    @Test
    void forgottenTypistsLeaveNothingBehind() {
        for (int i = 0; i < 1000; i++) {
            typists.typing(new SessionKey("acme", "s" + i), "alice", true, "typing");
        }
        now.addAndGet(Typists.FORGOTTEN.toNanos());
        typists.forget();
        assertEquals(0, typists.sessions());
    }
}
