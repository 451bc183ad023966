package com.parley.chat.gateway.recovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;

import org.junit.jupiter.api.Test;

import com.parley.chat.gateway.protocol.EventFrame;
import com.parley.chat.gateway.protocol.SessionKey;
import com.parley.chat.gateway.testing.TestConfig;

class RecentEventsTest {

    private final RecentEvents recent = new RecentEvents(TestConfig.gateway("recovery.recent-events", "4"));

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
}
