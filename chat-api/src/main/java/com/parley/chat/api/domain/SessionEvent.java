package com.parley.chat.api.domain;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import org.hibernate.annotations.ColumnTransformer;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import io.quarkus.panache.common.Page;
import io.quarkus.panache.common.Sort;

/** One event of a session, as published on Kafka; the history clients catch up from. */
@Entity
@Table(name = "session_events")
public class SessionEvent extends PanacheEntityBase {

    @Id
    @Column(name = "event_id")
    public UUID eventId;

    @Column(name = "tenant_id", nullable = false, updatable = false)
    public String tenantId;

    @Column(name = "session_id", nullable = false, updatable = false)
    public UUID sessionId;

    @Column(nullable = false, updatable = false)
    public long seq;

    @Column(nullable = false, updatable = false)
    public String type;

    /** The event's JSON exactly as it goes to Kafka. */
    @Column(nullable = false, columnDefinition = "jsonb")
    @ColumnTransformer(write = "?::jsonb")
    public String payload;

    @Column(name = "occurred_at", nullable = false, updatable = false)
    public Instant occurredAt;

    public static List<SessionEvent> listAfter(String tenantId, UUID sessionId, long afterSeq, int limit) {
        return find("tenantId = ?1 and sessionId = ?2 and seq > ?3", Sort.ascending("seq"), tenantId, sessionId,
                afterSeq).page(Page.ofSize(limit)).list();
    }

    /**
     * Blanks a deleted message in history (content, metadata and the sender's name), so that a
     * replay never shows it again.
     */
    public static int redactMessageContent(String tenantId, UUID sessionId, UUID messageId) {
        return getEntityManager().createNativeQuery("""
                update session_events
                   set payload = jsonb_set(payload - 'metadata' - 'sender_name', '{content}', '""'::jsonb)
                 where tenant_id = ?1 and session_id = ?2 and type = 'MessageCreated'
                   and payload->>'message_id' = ?3
                """).setParameter(1, tenantId).setParameter(2, sessionId).setParameter(3, messageId.toString())
                .executeUpdate();
    }

    /**
     * Blanks what a session's history says (an erasure): every message's content, metadata and sender's name, and
     * the metadata and customer's name the session was created with. Returns the events changed.
     */
    public static int redactSession(String tenantId, UUID sessionId) {
        return getEntityManager().createNativeQuery("""
                update session_events
                   set payload = case when type = 'MessageCreated'
                                      then jsonb_set(payload - 'metadata' - 'sender_name', '{content}', '""'::jsonb)
                                      else payload - 'metadata' - 'customer_name' end
                 where tenant_id = ?1 and session_id = ?2 and type in ('MessageCreated', 'SessionCreated')
                   and (payload->'metadata' is not null or payload->'customer_name' is not null
                        or payload->'sender_name' is not null or payload->>'content' <> '')
                """).setParameter(1, tenantId).setParameter(2, sessionId).executeUpdate();
    }
}
