package com.parley.chat.gateway.recovery;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

import com.parley.chat.gateway.protocol.EventFrame;

/**
 * The seq bookkeeping of one client: which seq it has, which live events wait while history
 * loads, and when a gap has to be fetched. Not thread-safe: its owner serializes calls.
 *
 * <p>Rules: a seq at or below {@link #lastSent()} is a duplicate and dropped; the next seq is
 * written; a seq further ahead is held and makes the owner fetch the gap from history.
 */
public final class ResumeCursor {

    private long lastSent;
    private boolean fetching;
    private final TreeMap<Long, EventFrame> held = new TreeMap<>();
    private final int maxHeld;

    /** Starts fetching: the client has everything up to {@code lastSeq} and history comes first. */
    public ResumeCursor(long lastSeq, int maxHeld) {
        this.lastSent = lastSeq;
        this.fetching = true;
        this.maxHeld = maxHeld;
    }

    public long lastSent() {
        return lastSent;
    }

    public boolean fetching() {
        return fetching;
    }

    /** Starts a history fetch unless one is under way; true when the owner must fetch. */
    public boolean startFetching() {
        if (fetching) {
            return false;
        }
        fetching = true;
        return true;
    }

    /** Too many live events held while history is slow: the client is better off resyncing. */
    public boolean overflowing() {
        return held.size() > maxHeld;
    }

    /**
     * A live event. Returns the frames to write now; afterwards {@link #fetching()} tells whether
     * the owner must fetch history after {@link #lastSent()} (a gap was seen).
     */
    public List<EventFrame> onLive(EventFrame event) {
        if (event.seq() <= lastSent) {
            return List.of();
        }
        if (!fetching && event.seq() == lastSent + 1) {
            lastSent = event.seq();
            return List.of(event);
        }
        held.put(event.seq(), event);
        fetching = true;
        return List.of();
    }

    /** A page of history, in seq order: returns the events the client does not have yet. */
    public List<EventFrame> onHistory(List<EventFrame> page) {
        List<EventFrame> out = new ArrayList<>(page.size());
        for (EventFrame event : page) {
            if (event.seq() == lastSent + 1) {
                lastSent = event.seq();
                out.add(event);
            }
        }
        return out;
    }

    /**
     * History is exhausted: writes the held events that now follow on. If a gap remains (events
     * committed after the history read that Kafka has not delivered yet) it stays fetching.
     */
    public List<EventFrame> onHistoryDone() {
        List<EventFrame> out = new ArrayList<>();
        while (!held.isEmpty()) {
            long first = held.firstKey();
            if (first <= lastSent) {
                held.pollFirstEntry();
            } else if (first == lastSent + 1) {
                out.add(held.pollFirstEntry().getValue());
                lastSent = first;
            } else {
                return out; // still a gap: keep fetching
            }
        }
        fetching = false;
        return out;
    }

    /**
     * The client claimed more than the session has: it starts over at {@code seq} (the session's
     * last), so that the events after it are not taken for duplicates.
     */
    public void restartAt(long seq) {
        lastSent = seq;
        held.clear();
    }

    /** The client resyncs: it continues from {@code seq} without the events before it. */
    public void skipTo(long seq) {
        lastSent = Math.max(lastSent, seq);
        held.headMap(lastSent, true).clear();
    }
}
