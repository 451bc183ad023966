package com.parley.chat.api.service;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import javax.sql.DataSource;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;

import com.parley.chat.api.config.ChatApiConfig;
import com.parley.chat.api.domain.ChatSession;
import com.parley.chat.api.domain.LocalTransaction;
import com.parley.chat.api.domain.Message;
import com.parley.chat.api.domain.MessageRows;
import com.parley.chat.api.domain.SessionEvent;
import com.parley.chat.api.domain.SessionStatus;
import com.parley.chat.api.messaging.MessageCreated;
import com.parley.chat.api.messaging.MessageDeleted;

@ApplicationScoped
public class MessageService {

    private static final int PREVIEW_LENGTH = 200;

    @Inject
    EventRecorder events;

    @Inject
    MetadataRules metadataRules;

    @Inject
    WriteLimits writeLimits;

    @Inject
    ChatApiConfig config;

    @Inject
    DataSource dataSource;

    /** The stored message, and whether this call created it (false: a retry of an earlier post). */
    public record Posted(Message message, boolean created) {
    }

    /**
     * Posts a message in a local transaction of plain JDBC ({@link LocalTransaction}, {@link MessageRows}): chat-api's hot
     * write path, without Hibernate or the JTA transaction manager, whose begin, enlistment and
     * commit cost more CPU than the statements themselves. One datasource, one transaction: a
     * local one keeps every guarantee (the session row lock, seq, idempotency, outbox).
     */
    public Posted post(Caller caller, UUID sessionId, String rawContent, String clientMessageId,
            Map<String, Object> metadata) {
        writeLimits.check(caller);
        String content = checkContent(rawContent);
        String clientId = checkClientMessageId(clientMessageId);
        Map<String, Object> checkedMetadata = metadataRules.check(metadata);
        Stored stored = LocalTransaction.call(dataSource,
                connection -> store(connection, caller, sessionId, content, clientId, checkedMetadata));
        if (stored.earlierMessageId() != null) {
            return new Posted(Message.findById(stored.earlierMessageId()), false);
        }
        events.written(stored.event());
        return new Posted(stored.message(), true);
    }

    /** What {@link #store} did: wrote a message and its event, or found the earlier post of the same key. */
    private record Stored(Message message, MessageCreated event, UUID earlierMessageId) {
    }

    private Stored store(Connection connection, Caller caller, UUID sessionId, String content, String clientId,
            Map<String, Object> checkedMetadata) throws SQLException {
        // The row lock serializes writers of this session: seq stays gapless and a concurrent retry
        // with the same client_message_id finds the first message instead of inserting a second.
        MessageRows.LockedSession session = MessageRows.lock(connection, caller.tenantId(), sessionId)
                .orElseThrow(Problems::sessionNotFound);
        SessionService.requireVisible(caller, session.customerUserId());
        if (session.status() != SessionStatus.OPEN) {
            // a retry of a post that made it before the session closed still gets its message
            Optional<MessageRows.Earlier> earlier = clientId == null ? Optional.empty()
                    : MessageRows.earlier(connection, sessionId, clientId);
            if (earlier.isPresent()) {
                return retried(caller, earlier.get());
            }
            throw Problems.sessionNotOpen(session.status().wireName());
        }

        Instant now = Clock.now();
        Message message = new Message();
        message.id = UUID.randomUUID();
        message.tenantId = session.tenantId();
        message.sessionId = session.id();
        message.seq = session.lastSeq() + 1; // gapless: the row lock is held until commit
        message.role = caller.role();
        message.content = content;
        message.senderUserId = caller.userId();
        message.clientMessageId = clientId;
        message.metadata = checkedMetadata;
        message.createdAt = now;
        String preview = content.length() > PREVIEW_LENGTH ? content.substring(0, PREVIEW_LENGTH) : content;
        MessageCreated event = new MessageCreated(UUID.randomUUID(), message.tenantId, message.sessionId, message.seq,
                now, message.id, message.role.wireName(), message.content, message.senderUserId, message.createdAt,
                message.clientMessageId, message.metadata);
        Optional<MessageRows.Earlier> earlier = events.recordMessage(connection, message, preview, event);
        return earlier.isPresent() ? retried(caller, earlier.get()) : new Stored(message, event, null);
    }

    private static Stored retried(Caller caller, MessageRows.Earlier earlier) {
        if (!earlier.senderUserId().equals(caller.userId())) {
            // the key is the session's; a retry returns only the sender's own message
            throw Problems.clientMessageIdTaken();
        }
        return new Stored(null, null, earlier.messageId());
    }

    @Transactional
    public List<Message> list(Caller caller, UUID sessionId, long afterSeq, int limit) {
        ChatSession session = ChatSession.findInTenant(caller.tenantId(), sessionId)
                .orElseThrow(Problems::sessionNotFound);
        SessionService.requireVisible(caller, session);
        return Message.listAfter(caller.tenantId(), sessionId, afterSeq, limit);
    }

    /** Soft delete by the author or staff. Deleting a deleted message again changes nothing. */
    @Transactional
    public void delete(Caller caller, UUID sessionId, UUID messageId) {
        ChatSession session = ChatSession.lockInTenant(caller.tenantId(), sessionId)
                .orElseThrow(Problems::sessionNotFound);
        SessionService.requireVisible(caller, session);
        Message message = Message.findInSession(caller.tenantId(), sessionId, messageId)
                .orElseThrow(Problems::messageNotFound);
        if (!caller.isStaff() && !message.senderUserId.equals(caller.userId())) {
            throw Problems.forbidden("Only the author of a message or staff may delete it.");
        }
        if (message.deletedAt != null) {
            return;
        }
        Instant now = Clock.now();
        message.deletedAt = now;
        message.deletedBy = caller.userId();
        message.content = "";
        message.metadata = null; // deleted means gone: what it said and what it carried
        if (message.id.equals(session.lastMessageId)) {
            session.lastMessagePreview = null;
        }
        session.updatedAt = now;
        SessionEvent.redactMessageContent(caller.tenantId(), sessionId, messageId);
        long seq = events.nextSeq(session);
        events.record(new MessageDeleted(UUID.randomUUID(), session.tenantId, session.id, seq, now, message.id,
                caller.userId(), now));
    }

    private String checkContent(String raw) {
        if (raw == null) {
            throw Problems.validation("content is required.", "content");
        }
        String content = raw.strip();
        if (content.isEmpty()) {
            throw Problems.validation("content must not be empty or only white space.", "content");
        }
        int max = config.messages().maxLength();
        if (content.codePointCount(0, content.length()) > max) {
            throw Problems.validation("content is longer than " + max + " characters.", "content");
        }
        if (content.indexOf('\u0000') >= 0) {
            throw Problems.validation("content must not contain NUL characters.", "content");
        }
        return content;
    }

    private String checkClientMessageId(String clientMessageId) {
        if (clientMessageId == null) {
            return null;
        }
        String id = clientMessageId.strip();
        int max = config.messages().maxClientMessageIdLength();
        if (id.isEmpty() || id.length() > max) {
            throw Problems.validation("client_message_id must have 1 to " + max + " characters.",
                    "client_message_id");
        }
        if (id.indexOf('\u0000') >= 0) {
            throw Problems.validation("client_message_id must not contain NUL characters.", "client_message_id");
        }
        return id;
    }
}
