package com.parley.chat.gateway.recovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.parley.chat.gateway.protocol.EventFrame;
import com.parley.chat.gateway.protocol.Frames;
import com.parley.chat.gateway.protocol.SessionKey;
import com.parley.chat.gateway.testing.TestConfig;
import com.parley.infra.EventFixture;

class RecentEventsTest {

    private final Frames frames = new Frames(new ObjectMapper());
    private final RecentEvents recent = new RecentEvents(TestConfig.gateway("recovery.recent-events", "4"), frames);

    private static EventFrame event(long seq) {
        return new EventFrame("t", "s", seq, "message_created", "{\"seq\":" + seq + "}", null);
    }

    private List<Long> after(long seq) {
        RecentEvents.Slice slice = recent.after(new SessionKey("t", "s"), seq);
        return slice == null ? null : slice.events().stream().map(EventFrame::seq).toList();
    }

    @Test
    void servesTheEventsAfterASeqItHoldsWithoutGaps() {
        for (long seq = 1; seq <= 6; seq++) {
            recent.add(event(seq));
        }
        assertEquals(List.of(4L, 5L, 6L), after(3), "the window keeps the last 4: 3..6");
        assertEquals(List.of(), after(6), "nothing missed");
        assertEquals(6, recent.after(new SessionKey("t", "s"), 6).lastSeq());
        assertNull(after(1), "seq 2 is no longer held: ask history");
        assertNull(after(7), "the client has more than this instance read: ask history");
        assertNull(recent.after(new SessionKey("t", "other"), 0), "a session it has not seen");
    }

    @Test
    void aGapInTheStreamStartsTheWindowAgainAndDuplicatesAreIgnored() {
        recent.add(event(1));
        recent.add(event(2));
        recent.add(event(2));
        recent.add(event(5));
        assertNull(after(2), "3 and 4 were never read here");
        assertEquals(List.of(5L), after(4));
        recent.clear();
        assertNull(after(4));
    }

    @Test
    void aDeletedMessageIsNeverReplayedFromTheWindowNorItsMetadataNorTheNameItWasSignedWith() {
        EventFrame created = frames.fromEvent(frames.parse("{\"type\":\"MessageCreated\",\"event_id\":\"e1\","
                + "\"tenant_id\":\"t\",\"session_id\":\"s\",\"seq\":1,\"occurred_at\":\"2026-11-27T10:00:00Z\","
                + "\"message_id\":\"m1\",\"role\":\"user\",\"content\":\"my card is 4111 1111 1111 1111\","
                + "\"sender_user_id\":\"alice\",\"sender_name\":\"Alice Doe\",\"metadata\":{\"card\":\"4111\"}}"));
        EventFrame deleted = frames.fromEvent(frames.parse("{\"type\":\"MessageDeleted\",\"event_id\":\"e2\","
                + "\"tenant_id\":\"t\",\"session_id\":\"s\",\"seq\":2,\"occurred_at\":\"2026-11-27T10:00:01Z\","
                + "\"message_id\":\"m1\",\"deleted_by\":\"alice\"}"));
        recent.add(created);
        recent.add(deleted);
        List<EventFrame> replay = recent.after(new SessionKey("t", "s"), 0).events();
        assertEquals(List.of(1L, 2L), replay.stream().map(EventFrame::seq).toList(), "the message keeps its place");
        for (EventFrame e : replay) {
            assertFalse(e.frame().contains("4111"), e.frame());
            assertFalse(e.dashboardFrame().contains("4111"), e.dashboardFrame());
            // chat-api drops the name from history on a delete (an erasure so removes a customer's name)
            assertFalse(e.frame().contains("Alice Doe") || e.dashboardFrame().contains("Alice Doe"), e.frame());
        }
        assertTrue(replay.getFirst().frame().contains("\"deleted\":true"));
    }

    @Test
    void allWindowsTogetherStayWithinTheByteBudgetTheQuietestSessionsLeaveFirst() {
        RecentEvents small = new RecentEvents(TestConfig.gateway("recovery.recent-events", "4",
                "recovery.recent-events-max-bytes", "20000"), frames);
        for (int session = 0; session < 200; session++) { // a flood of sessions, one event each
            small.add(frames.fromEvent(frames.parse(EventFixture.messageCreated("t", "s" + session, 1,
                    "x".repeat(200)))));
            assertTrue(small.bytes() <= 20_000 + 2_000, "held " + small.bytes());
        }
        assertNotNull(small.after(new SessionKey("t", "s199"), 0), "the latest sessions stay");
        assertNull(small.after(new SessionKey("t", "s0"), 0), "the quietest left: their clients ask history");
        small.clear();
        assertEquals(0, small.bytes());
    }
}
