package com.parley.chat.api.domain;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import io.quarkus.panache.common.Page;
import io.quarkus.panache.common.Sort;

@Entity
@Table(name = "messages")
public class Message extends PanacheEntityBase {

    @Id
    public UUID id;

    @Column(name = "tenant_id", nullable = false, updatable = false)
    public String tenantId;

    @Column(name = "session_id", nullable = false, updatable = false)
    public UUID sessionId;

    @Column(nullable = false, updatable = false)
    public long seq;

    @Column(nullable = false, updatable = false)
    public Role role;

    @Column(nullable = false)
    public String content;

    @Column(name = "sender_user_id", nullable = false, updatable = false)
    public String senderUserId;

    /** The sender's name as their token gave it when they wrote (the OIDC name claim); null when none. */
    @Column(name = "sender_name")
    public String senderName;

    @Column(name = "client_message_id", updatable = false)
    public String clientMessageId;

    @JdbcTypeCode(SqlTypes.JSON)
    public Map<String, Object> metadata;

    @Column(name = "created_at", nullable = false, updatable = false)
    public Instant createdAt;

    @Column(name = "deleted_at")
    public Instant deletedAt;

    @Column(name = "deleted_by")
    public String deletedBy;

    /**
     * Deleted means gone: what it said, what it carried and the name it was signed with (an erasure
     * removes the customer's name so); the row keeps its place (seq), its sender's id and who deleted it.
     */
    public void blank(String by, Instant at) {
        deletedAt = at;
        deletedBy = by;
        content = "";
        metadata = null;
        senderName = null;
    }

    public static Optional<Message> findInSession(String tenantId, UUID sessionId, UUID id) {
        return find("tenantId = ?1 and sessionId = ?2 and id = ?3", tenantId, sessionId, id).firstResultOptional();
    }

    /** Messages of a session after {@code afterSeq}, in seq order. */
    public static List<Message> listAfter(String tenantId, UUID sessionId, long afterSeq, int limit) {
        return find("tenantId = ?1 and sessionId = ?2 and seq > ?3", Sort.ascending("seq"), tenantId, sessionId,
                afterSeq).page(Page.ofSize(limit)).list();
    }
}
