package com.parley.chat.api.service;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.parley.chat.api.config.ChatApiConfig;
import com.parley.chat.api.domain.ChatSession;
import com.parley.chat.api.domain.Message;
import com.parley.chat.api.domain.MessageRows;
import com.parley.chat.api.domain.OutboxEntry;
import com.parley.chat.api.domain.SessionEvent;
import com.parley.chat.api.messaging.ChatEvent;
import com.parley.chat.api.messaging.MessageCreated;
import com.parley.chat.api.messaging.NoteAdded;
import com.parley.chat.api.messaging.NoteDeleted;
import com.parley.chat.api.messaging.OutboxWritten;
import com.parley.chat.api.messaging.TenantNotice;

import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
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
     * A new message: the session row moves to the message's seq and preview, and the message, its
     * history entry and its outbox row are inserted, in one statement ({@link MessageRows#insert})
     * on {@code connection}; unless the message's {@code client_message_id} already names one,
     * which is returned and nothing is written, or the session moved on (nothing is written). The
     * caller computed the seq (under the session row lock, {@link MessageRows#lock}, or from the
     * session's last post) and calls {@link #written} after its commit.
     */
    public MessageRows.Inserted recordMessage(Connection connection, Message message, String preview,
            MessageCreated event) throws SQLException {
        return MessageRows.insert(connection, newMessage(message, preview, event));
    }

    /**
     * Everything a new message writes, serialized here, with the trace of the calling thread's
     * request: for {@link MessageRows#insert} or, written with others, {@link PostBatches}.
     */
    public MessageRows.NewMessage newMessage(Message message, String preview, MessageCreated event) {
        return new MessageRows.NewMessage(message, preview, event.eventId(), event.type(), serialize(event),
                message.metadata == null ? null : serialize(message.metadata), event.occurredAt(),
                config.outbox().topic(), event.recordKey(), event.ceType(), traceparent());
    }

    /** After the commit of a {@link #recordMessage}: the relay publishes at once instead of on its next poll. */
    public void written(MessageCreated event) {
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
        recordTenantEvent(notice.noticeId(), notice.tenantId(), notice.ceType(), notice.tenantId(), notice,
                notice.occurredAt());
    }

    /** A note on a session: an outbox row for chat.tenant-events, for staff (not the session's history). */
    @Transactional(Transactional.TxType.MANDATORY)
    public void record(NoteAdded note) {
        recordTenantEvent(note.noteId(), note.tenantId(), note.ceType(), note.sessionId().toString(), note,
                note.occurredAt());
    }

    /** A note deleted: an outbox row for chat.tenant-events, for staff's pages. */
    @Transactional(Transactional.TxType.MANDATORY)
    public void record(NoteDeleted deleted) {
        recordTenantEvent(UUID.randomUUID(), deleted.tenantId(), deleted.ceType(), deleted.sessionId().toString(),
                deleted, deleted.occurredAt());
    }

    private void recordTenantEvent(UUID id, String tenantId, String ceType, String subject, Object event,
            Instant occurredAt) {
        OutboxEntry entry = new OutboxEntry();
        entry.eventId = id;
        entry.topic = config.outbox().tenantTopic();
        entry.recordKey = tenantId;
        entry.ceType = ceType;
        entry.ceSubject = subject;
        entry.payload = serialize(event);
        entry.occurredAt = occurredAt;
        entry.createdAt = Instant.now();
        entry.traceparent = traceparent();
        entry.persist();
        outboxWritten.fire(new OutboxWritten(id));
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
