package com.parley.chat.api.rest;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.parley.chat.api.domain.ChatSession;
import com.parley.chat.api.domain.Message;

/** Request and response bodies; JSON names are snake_case by configuration. */
public final class Views {

    private Views() {
    }

    public record CreateSessionRequest(String customerUserId, Map<String, Object> metadata) {
    }

    public record TransferRequest(String toUserId) {
    }

    public record ReadRequest(Long upToSeq) {
    }

    public record StatusChangeRequest(String status) {
    }

    public record RatingRequest(String rating) {
    }

    public record PostMessageRequest(String content, String clientMessageId, Map<String, Object> metadata) {
    }

    /**
     * A session; {@code subscriptionToken} only where one session is returned to a participant.
     * {@code lastMessageId} names the message {@code lastMessagePreview} shows: when a
     * {@code MessageDeleted} names it, a list stops showing its text (the preview is then absent).
     */
    public record SessionView(UUID id, String tenantId, String customerUserId, String customerName, String status,
            Map<String, Object> metadata, long lastSeq, UUID lastMessageId, String lastMessagePreview,
            Instant lastMessageAt, Instant createdAt, Instant updatedAt, String claimedBy, Instant claimedAt,
            String rating, Instant ratedAt, Long unreadCount, String subscriptionToken, Long queuePosition) {

        static SessionView of(ChatSession s) {
            return of(s, null, null);
        }

        /** With the caller's unread count and subscription token (either may be null: not shown). */
        static SessionView of(ChatSession s, Long unreadCount, String subscriptionToken) {
            return of(s, unreadCount, subscriptionToken, null);
        }

        /** ... and where it stands in the queue (null: not shown; one session's view only, never a list's). */
        static SessionView of(ChatSession s, Long unreadCount, String subscriptionToken, Long queuePosition) {
            return new SessionView(s.id, s.tenantId, s.customerUserId, s.customerName, s.status.wireName(), s.metadata,
                    s.lastSeq, s.lastMessageId, s.lastMessagePreview, s.lastMessageAt, s.createdAt, s.updatedAt,
                    s.claimedBy, s.claimedAt, s.rating, s.ratedAt, unreadCount, subscriptionToken, queuePosition);
        }
    }

    /**
     * A page of sessions: {@code page} is the page number asked for (absent when paging by cursor),
     * {@code next_cursor} what the next page is asked with while {@code has_more}.
     */
    public record SessionPage(List<SessionView> items, Integer page, int size, boolean hasMore, String nextCursor) {
    }

    public record MessageView(UUID id, String tenantId, UUID sessionId, long seq, String role, String content,
            String senderUserId, String senderName, String clientMessageId, Map<String, Object> metadata,
            Instant createdAt, boolean deleted, Instant deletedAt) {

        static MessageView of(Message m) {
            return new MessageView(m.id, m.tenantId, m.sessionId, m.seq, m.role.wireName(), m.content,
                    m.senderUserId, m.senderName, m.clientMessageId, m.metadata, m.createdAt, m.deletedAt != null,
                    m.deletedAt);
        }
    }

    /** How far each participant of a session has read it. */
    public record Reads(List<com.parley.chat.api.service.ReadStates.Read> reads) {
    }

    public record MessagePage(List<MessageView> items, boolean hasMore, long nextAfterSeq) {
    }

    /** A page of session history; {@code events} are exactly the Kafka record values. */
    public record EventPage(UUID sessionId,
            @Schema(type = SchemaType.ARRAY, implementation = SessionEventFields.class) List<JsonNode> events,
            boolean hasMore, long nextAfterSeq, long lastSeq) {
    }

    /**
     * What the OpenAPI document says of an event of history (the scanner described Jackson's
     * JsonNode, so a generated client read every event as a bag of booleans): the fields of every
     * type in one object, each type's own ones absent from the others, as docs/asyncapi.yaml has
     * them. Not a oneOf: a generated client then reads a type that is new to it instead of failing.
     */
    @Schema(name = "SessionEvent", requiredProperties = { "type", "event_id", "tenant_id", "session_id", "seq",
            "occurred_at" }, description = "An event of the session, the same value as its record on "
                    + "chat.message-events (docs/asyncapi.yaml). type: SessionCreated (customer_user_id, "
                    + "customer_name, status, metadata, created_at), MessageCreated (message_id, role, content, "
                    + "sender_user_id, sender_name, client_message_id, metadata, created_at), MessageDeleted "
                    + "(message_id, deleted_by, deleted_at), SessionStatusChanged (previous_status, status, "
                    + "changed_by), SessionClaimed (claimed_by, previous, by), SessionReleased (previous, by), "
                    + "SessionRated (rating, by); ignore a type you do not know.")
    public record SessionEventFields(String type, UUID eventId, String tenantId, UUID sessionId, long seq,
            Instant occurredAt, String customerUserId, String customerName, String status,
            Map<String, Object> metadata, Instant createdAt, UUID messageId, String role, String content,
            String senderUserId, String senderName, String clientMessageId, String deletedBy, Instant deletedAt,
            String previousStatus, String changedBy, String claimedBy, String previous, String by, String rating) {
    }
}
