package com.parley.chat.api.service;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.parley.chat.api.config.ChatApiConfig;
import com.parley.chat.api.domain.ChatSession;
import com.parley.chat.api.domain.OutboxEntry;
import com.parley.chat.api.domain.SessionEvent;
import com.parley.chat.api.messaging.ChatEvent;
import com.parley.chat.api.messaging.OutboxWritten;
import com.parley.chat.api.messaging.TenantNotice;

import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;

/**
 * Writes a session event twice in the caller's transaction: to the session's history and to the
 * outbox. Callers hold the session row lock, which makes {@link #nextSeq} gapless and ordered.
 */
@ApplicationScoped
public class EventRecorder {

    @Inject
    ObjectMapper json;

    @Inject
    ChatApiConfig config;

    @Inject
    Event<OutboxWritten> outboxWritten;

    /** The next seq of a locked session; the session row is updated when the transaction flushes. */
    @Transactional(Transactional.TxType.MANDATORY)
    public long nextSeq(ChatSession lockedSession) {
        lockedSession.lastSeq += 1;
        return lockedSession.lastSeq;
    }

    @Transactional(Transactional.TxType.MANDATORY)
    public void record(ChatEvent event) {
        String payload;
        try {
            payload = json.writeValueAsString(event);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize " + event.type(), e);
        }
        SessionEvent history = new SessionEvent();
        history.eventId = event.eventId();
        history.tenantId = event.tenantId();
        history.sessionId = event.sessionId();
        history.seq = event.seq();
        history.type = event.type();
        history.payload = payload;
        history.occurredAt = event.occurredAt();
        history.persist();

        OutboxEntry entry = new OutboxEntry();
        entry.eventId = event.eventId();
        entry.topic = config.outbox().topic();
        entry.recordKey = event.recordKey();
        entry.ceType = event.ceType();
        entry.ceSubject = event.sessionId().toString();
        entry.payload = payload;
        entry.occurredAt = event.occurredAt();
        entry.createdAt = Instant.now();
        entry.traceparent = traceparent();
        entry.persist();

        // observed after commit: the relay publishes at once instead of on its next poll
        outboxWritten.fire(new OutboxWritten(event.eventId()));
    }

    /** A tenant notice: an outbox row for chat.tenant-events (no session history: it has no session). */
    @Transactional(Transactional.TxType.MANDATORY)
    public void record(TenantNotice notice) {
        OutboxEntry entry = new OutboxEntry();
        entry.eventId = notice.noticeId();
        entry.topic = config.outbox().tenantTopic();
        entry.recordKey = notice.tenantId();
        entry.ceType = notice.ceType();
        entry.ceSubject = notice.tenantId();
        try {
            entry.payload = json.writeValueAsString(notice);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize a notice", e);
        }
        entry.occurredAt = notice.occurredAt();
        entry.createdAt = Instant.now();
        entry.traceparent = traceparent();
        entry.persist();
        outboxWritten.fire(new OutboxWritten(notice.noticeId()));
    }

    /** The current trace context as a W3C traceparent, or null when there is none (tracing off). */
    private static String traceparent() {
        Map<String, String> carrier = new HashMap<>(2);
        W3CTraceContextPropagator.getInstance().inject(Context.current(), carrier, Map::put);
        return carrier.get("traceparent");
    }
}
