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
import com.parley.chat.api.domain.Message;
import com.parley.chat.api.domain.OutboxEntry;
import com.parley.chat.api.domain.SessionEvent;
import com.parley.chat.api.messaging.ChatEvent;
import com.parley.chat.api.messaging.MessageCreated;
import com.parley.chat.api.messaging.OutboxWritten;
import com.parley.chat.api.messaging.TenantNotice;

import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.quarkus.hibernate.orm.panache.Panache;
import io.opentelemetry.context.Context;

/**
 * Writes a session event twice in the caller's transaction: to the session's history and to the
 * outbox. Callers hold the session row lock, which makes {@link #nextSeq} gapless and ordered; a new
 * message takes the one-statement path, {@link #recordMessage}.
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

    /**
     * A new message, in one statement: the session row moves to the message's seq and preview, and
     * the message, its history entry and its outbox row are inserted (a data-modifying CTE, one
     * round trip to PostgreSQL instead of four, and no entities for Hibernate to track and check at
     * commit). The caller holds the session row lock, checked the message, and computed its seq;
     * the session entity is left as loaded.
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public void recordMessage(Message message, String preview, MessageCreated event) {
        String payload = serialize(event);
        String metadata = message.metadata == null ? null : serialize(message.metadata);
        Panache.getEntityManager().createNativeQuery("""
                with session_row as (
                    update sessions set last_seq = :seq, last_message_id = :messageId,
                        last_message_preview = :preview, last_message_at = :createdAt, updated_at = :createdAt
                    where id = :sessionId and tenant_id = :tenantId
                ), message_row as (
                    insert into messages (id, tenant_id, session_id, seq, role, content, sender_user_id,
                        client_message_id, metadata, created_at)
                    values (:messageId, :tenantId, :sessionId, :seq, :role, :content, :sender,
                        cast(:clientMessageId as varchar), cast(:metadata as jsonb), :createdAt)
                ), history_row as (
                    insert into session_events (event_id, tenant_id, session_id, seq, type, payload, occurred_at)
                    values (:eventId, :tenantId, :sessionId, :seq, :type, cast(:payload as jsonb), :occurredAt)
                )
                insert into outbox (event_id, topic, record_key, ce_type, ce_subject, payload, occurred_at,
                    created_at, traceparent)
                values (:eventId, :topic, :recordKey, :ceType, :ceSubject, :payload, :occurredAt, :now,
                    cast(:traceparent as varchar))
                """)
                .setParameter("seq", message.seq)
                .setParameter("messageId", message.id)
                .setParameter("preview", preview)
                .setParameter("createdAt", message.createdAt)
                .setParameter("sessionId", message.sessionId)
                .setParameter("tenantId", message.tenantId)
                .setParameter("role", message.role.wireName())
                .setParameter("content", message.content)
                .setParameter("sender", message.senderUserId)
                .setParameter("clientMessageId", message.clientMessageId)
                .setParameter("metadata", metadata)
                .setParameter("eventId", event.eventId())
                .setParameter("type", event.type())
                .setParameter("payload", payload)
                .setParameter("occurredAt", event.occurredAt())
                .setParameter("topic", config.outbox().topic())
                .setParameter("recordKey", event.recordKey())
                .setParameter("ceType", event.ceType())
                .setParameter("ceSubject", event.sessionId().toString())
                .setParameter("now", Instant.now())
                .setParameter("traceparent", traceparent())
                .executeUpdate();
        outboxWritten.fire(new OutboxWritten(event.eventId()));
    }

    @Transactional(Transactional.TxType.MANDATORY)
    public void record(ChatEvent event) {
        String payload = serialize(event);
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
        entry.payload = serialize(notice);
        entry.occurredAt = notice.occurredAt();
        entry.createdAt = Instant.now();
        entry.traceparent = traceparent();
        entry.persist();
        outboxWritten.fire(new OutboxWritten(notice.noticeId()));
    }

    private String serialize(Object value) {
        try {
            return json.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize " + value.getClass().getSimpleName(), e);
        }
    }

    /** The current trace context as a W3C traceparent, or null when there is none (tracing off). */
    private static String traceparent() {
        Map<String, String> carrier = new HashMap<>(2);
        W3CTraceContextPropagator.getInstance().inject(Context.current(), carrier, Map::put);
        return carrier.get("traceparent");
    }
}
