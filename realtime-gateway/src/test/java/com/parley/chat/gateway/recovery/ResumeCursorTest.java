package com.parley.chat.gateway.recovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.LongStream;

import org.junit.jupiter.api.Test;

import com.parley.chat.gateway.protocol.EventFrame;

class ResumeCursorTest {

    private static EventFrame e(long seq) {
        return new EventFrame("acme", "s-1", seq, "message_created", "{\"seq\":" + seq + "}", null);
    }

    private static List<EventFrame> range(long from, long to) {
        return LongStream.rangeClosed(from, to).mapToObj(ResumeCursorTest::e).toList();
    }

    private static List<Long> seqs(List<EventFrame> frames) {
        return frames.stream().map(EventFrame::seq).toList();
    }

    @Test
    void liveEventsArriving_whileHistoryLoads_areHeldAndWrittenOnceAfterIt() {
        ResumeCursor cursor = new ResumeCursor(3, 100);
        assertEquals(List.of(), cursor.onLive(e(7)));
        assertEquals(List.of(), cursor.onLive(e(6)));
        assertEquals(List.of(4L, 5L, 6L), seqs(cursor.onHistory(range(4, 6))));
        assertEquals(List.of(7L), seqs(cursor.onHistoryDone()));
        assertFalse(cursor.fetching());
        assertEquals(List.of(8L), seqs(cursor.onLive(e(8))));
    }

    @Test
    void duplicatesAreDroppedWhereverTheyComeFrom() {
        ResumeCursor cursor = new ResumeCursor(0, 100);
        cursor.onHistory(range(1, 3));
        cursor.onHistoryDone();
        assertEquals(List.of(), cursor.onLive(e(2)));
        assertEquals(List.of(), cursor.onLive(e(3)));
        assertEquals(List.of(4L), seqs(cursor.onLive(e(4))));
        assertEquals(List.of(), cursor.onLive(e(4)));
        assertEquals(4, cursor.lastSent());
    }

    @Test
    void aLiveEventAheadOfTheNextSeqStartsAFetchOfTheGap() {
        ResumeCursor cursor = new ResumeCursor(0, 100);
        cursor.onHistoryDone();
        assertEquals(List.of(1L), seqs(cursor.onLive(e(1))));
        assertEquals(List.of(), cursor.onLive(e(4)));
        assertTrue(cursor.fetching());
        assertEquals(List.of(2L, 3L), seqs(cursor.onHistory(range(2, 4))).subList(0, 2));
        assertEquals(List.of(), cursor.onHistoryDone());
        assertFalse(cursor.fetching());
        assertEquals(4, cursor.lastSent());
    }

    @Test
    void aGapThatHistoryDoesNotYetCoverKeepsFetching() {
        ResumeCursor cursor = new ResumeCursor(0, 100);
        cursor.onLive(e(5));
        cursor.onHistory(range(1, 3));
        assertEquals(List.of(), cursor.onHistoryDone());
        assertTrue(cursor.fetching());
        cursor.onHistory(range(4, 5));
        assertEquals(List.of(), cursor.onHistoryDone());
        assertFalse(cursor.fetching());
        assertEquals(5, cursor.lastSent());
    }

    @Test
    void skipToDropsHeldEventsBeforeTheResyncPoint() {
        ResumeCursor cursor = new ResumeCursor(0, 2);
        cursor.onLive(e(10));
        cursor.onLive(e(11));
        cursor.onLive(e(12));
        assertTrue(cursor.overflowing());
        cursor.skipTo(10);
        assertEquals(List.of(11L, 12L), seqs(cursor.onHistoryDone()));
    }
}
