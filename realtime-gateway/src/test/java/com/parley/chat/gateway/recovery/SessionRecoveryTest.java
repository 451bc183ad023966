package com.parley.chat.gateway.recovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.LongStream;

import org.junit.jupiter.api.Test;

import com.parley.chat.gateway.protocol.EventFrame;
import com.parley.chat.gateway.protocol.SessionKey;
import com.parley.chat.gateway.testing.Fixtures;

import io.smallrye.mutiny.Uni;

/** Replay with a fake history: exactly once, in order, from the window or from history. */
class SessionRecoveryTest {

    private final Fixtures fx = new Fixtures("recovery.max-replay-events", "20");
    private final Recoveries recoveries = new Recoveries(fx.history, fx.recent, fx.config, fx.metrics);
    private final SessionKey session = new SessionKey("acme", "s-1");

    /** What a subscription was told, in order: "started:<lastSeq>", seqs, "resync:<seq>", "failed". */
    private static final class Recorder implements SessionRecovery.Listener {
        final List<String> told = new ArrayList<>();
        final List<Long> seqs = new ArrayList<>();

        @Override
        public synchronized void started(long lastSeq, long resumeFrom) {
            told.add("started:" + lastSeq);
        }

        @Override
        public synchronized void write(List<EventFrame> events) {
            events.forEach(e -> seqs.add(e.seq()));
        }

        @Override
        public synchronized void resyncRequired(long seq) {
            told.add("resync:" + seq);
        }

        @Override
        public synchronized void failed(boolean notFound) {
            told.add(notFound ? "not found" : "failed");
        }
    }

    /** A recovery for alice, who has every event up to {@code lastSeq}, started. */
    private SessionRecovery started(long lastSeq, Recorder client) {
        SessionRecovery recovery = recoveries.create(Fixtures.caller("acme", "alice", "user"), session, lastSeq, client);
        recovery.start();
        return recovery;
    }

    private static List<Long> range(long from, long to) {
        return LongStream.rangeClosed(from, to).boxed().toList();
    }

    @Test
    void replaysHistoryAfterTheClientsSeqThenLiveEventsWithoutDuplicates() {
        fx.history.store(session, 5);
        Recorder client = new Recorder();
        SessionRecovery recovery = started(2, client);
        recovery.onLive(fx.event(session, 4));
        recovery.onLive(fx.event(session, 5));
        recovery.onLive(fx.event(session, 6));
        assertEquals(List.of("started:5"), client.told);
        assertEquals(range(3, 6), client.seqs);
    }

    @Test
    void liveEventsWaitWhileHistoryLoads() {
        CompletableFuture<HistorySource.Page> pending = new CompletableFuture<>();
        fx.history.override = after -> Uni.createFrom().completionStage(pending);
        Recorder client = new Recorder();
        SessionRecovery recovery = started(0, client);
        recovery.onLive(fx.event(session, 6));
        recovery.onLive(fx.event(session, 7));
        assertEquals(List.of(), client.seqs, "nothing before history");

        fx.history.store(session, 5);
        fx.history.override = null;
        pending.complete(new HistorySource.Page(fx.history.stored, false, 5));
        assertEquals(range(1, 7), client.seqs);
    }

    @Test
    void aGapInTheLiveStreamIsFetchedFromHistory() {
        fx.history.store(session, 3);
        Recorder client = new Recorder();
        SessionRecovery recovery = started(3, client);
        fx.history.store(session, 5);
        recovery.onLive(fx.event(session, 5)); // 4 never came live
        recovery.onLive(fx.event(session, 6));
        assertEquals(range(4, 6), client.seqs);
        assertEquals(List.of(3L, 3L), List.copyOf(fx.history.requests), "the resume, then the gap after 3");
    }

    @Test
    void theWindowOfRecentEventsSparesTheHistoryRequest() {
        for (long seq = 1; seq <= 5; seq++) {
            fx.recent.add(fx.event(session, seq));
        }
        Recorder client = new Recorder();
        SessionRecovery recovery = started(3, client);
        recovery.onLive(fx.event(session, 6));
        assertEquals(range(4, 6), client.seqs);
        assertTrue(fx.history.requests.isEmpty(), "chat-api was not asked");
    }

    @Test
    void aClientTooFarBehindIsToldToResyncAndContinuesLive() {
        fx.history.store(session, 50);
        Recorder client = new Recorder();
        SessionRecovery recovery = started(0, client);
        recovery.onLive(fx.event(session, 51));
        assertEquals(List.of("started:50", "resync:50"), client.told);
        assertEquals(List.of(51L), client.seqs);
    }

    @Test
    void aSessionThatIsNotTheCallersEndsTheReplayAtOnce() {
        fx.history.override = after -> Uni.createFrom().failure(new HistorySource.NotFound("404"));
        Recorder client = new Recorder();
        SessionRecovery recovery = started(0, client);
        recovery.onLive(fx.event(session, 1));
        assertEquals(List.of("not found"), client.told);
        assertEquals(List.of(), client.seqs);
        assertEquals(1, fx.history.requests.size(), "not asked again");
    }

    @Test
    void aLastSeqFromTheFutureIsToldToResyncInsteadOfSwallowingEveryLaterEvent() {
        fx.history.store(session, 5);
        Recorder client = new Recorder();
        SessionRecovery recovery = started(50, client);
        recovery.onLive(fx.event(session, 6));
        assertEquals(List.of("started:5", "resync:5"), client.told);
        assertEquals(List.of(6L), client.seqs, "the next event reaches the client");
    }

    @Test
    void aStoppedRecoveryWritesNothingMore() {
        fx.history.store(session, 2);
        Recorder client = new Recorder();
        SessionRecovery recovery = started(0, client);
        recovery.stop();
        recovery.onLive(fx.event(session, 3));
        recovery.catchUp();
        assertEquals(range(1, 2), client.seqs);
    }
}
