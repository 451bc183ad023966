package com.parley.chat.gateway.testing;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Function;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.parley.chat.gateway.auth.Caller;
import com.parley.chat.gateway.client.ClientContext;
import com.parley.chat.gateway.config.GatewayConfig;
import com.parley.chat.gateway.metrics.GatewayMetrics;
import com.parley.chat.gateway.protocol.EventFrame;
import com.parley.chat.gateway.protocol.Frames;
import com.parley.chat.gateway.protocol.SessionKey;
import com.parley.chat.gateway.recovery.HistorySource;
import com.parley.chat.gateway.recovery.RecentEvents;
import com.parley.chat.gateway.recovery.Recoveries;
import com.parley.infra.EventFixture;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.smallrye.mutiny.Uni;

/** The middle of the gateway without Quarkus: real classes wired by hand around a fake history. */
public final class Fixtures {

    public final GatewayConfig config;
    public final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    public final GatewayMetrics metrics;
    public final Frames frames = new Frames(new ObjectMapper());
    public final RecentEvents recent;
    public final History history = new History();
    public final ClientContext context;

    public Fixtures(String... configOverrides) {
        config = TestConfig.gateway(configOverrides);
        metrics = new GatewayMetrics(registry);
        recent = new RecentEvents(config, frames);
        context = new ClientContext(config, metrics, frames, new Recoveries(history, recent, config, metrics));
    }

    public static Caller caller(String tenant, String user, String role) {
        return new Caller(tenant, user, role, Instant.now().plusSeconds(3600), "token-of-" + user);
    }

    /** A session event frame as the gateway builds it from a record of chat.message-events. */
    public EventFrame event(SessionKey session, long seq) {
        return frames.fromEvent(frames.parse(EventFixture.messageCreated(session.tenantId(), session.sessionId(), seq,
                "message " + seq)));
    }

    /**
     * chat-api's history as a list of events per session; every request is recorded. A test can
     * make it fail or hold its answers.
     */
    public final class History implements HistorySource {

        public final List<EventFrame> stored = new ArrayList<>();
        public final ConcurrentLinkedQueue<Long> requests = new ConcurrentLinkedQueue<>();
        public volatile Function<Long, Uni<Page>> override;

        /** Stores events 1..last of a session. */
        public void store(SessionKey session, long last) {
            for (long seq = stored.stream().filter(e -> e.sessionKey().equals(session)).count() + 1; seq <= last; seq++) {
                stored.add(event(session, seq));
            }
        }

        @Override
        public Uni<Page> history(Caller caller, SessionKey session, long afterSeq, int limit) {
            requests.add(afterSeq);
            if (override != null) {
                return override.apply(afterSeq);
            }
            List<EventFrame> all;
            synchronized (stored) {
                all = stored.stream().filter(e -> e.sessionKey().equals(session)).toList();
            }
            List<EventFrame> after = all.stream().filter(e -> e.seq() > afterSeq).limit(limit).toList();
            long lastSeq = all.isEmpty() ? 0 : all.getLast().seq();
            boolean hasMore = !after.isEmpty() && after.getLast().seq() < lastSeq;
            return Uni.createFrom().item(new Page(after, hasMore, lastSeq));
        }
    }
}
