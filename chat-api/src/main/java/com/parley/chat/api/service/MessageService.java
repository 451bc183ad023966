package com.parley.chat.api.service;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import javax.sql.DataSource;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
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

    @Inject
    PostBatches batches;

    /** Sessions whose last post went through this instance, for the one-statement post. */
    private final Cache<SessionRef, KnownSession> knownSessions = Caffeine.newBuilder()
            .maximumSize(50_000).expireAfterAccess(Duration.ofMinutes(10)).build();

    /** The stored message, and whether this call created it (false: a retry of an earlier post). */
    public record Posted(Message message, boolean created) {
    }

    /**
     * Posts a message in plain JDBC ({@link LocalTransaction}, {@link MessageRows}): chat-api's hot
     * write path, without Hibernate or the JTA transaction manager, whose begin, enlistment and
     * commit cost more CPU than the statements themselves.
     *
     * <p>When this instance wrote the session's last post, it knows the session's owner and last
     * seq, and the post is one statement in autocommit: it writes only if the session is still open
     * at that seq (one round trip instead of three), and shares that statement and its commit with
     * the other sessions' posts that arrive meanwhile ({@link PostBatches}). Otherwise (first post
     * here, another writer or event came in between, the session closed, its row held elsewhere)
     * the post locks the session row in a local transaction and decides there, as every post did
     * before: the lock, the insert, the commit.
     */
    public Posted post(Caller caller, UUID sessionId, String rawContent, String clientMessageId,
            Map<String, Object> metadata) {
        writeLimits.check(caller);
        String content = PlainText.content(rawContent, config.messages().maxLength());
        String clientId = checkClientMessageId(clientMessageId);
        Map<String, Object> checkedMetadata = metadataRules.check(metadata);
        SessionRef ref = new SessionRef(caller.tenantId(), sessionId);
        Stored stored = storeAtKnownSeq(ref, caller, content, clientId, checkedMetadata);
        if (stored == null) {
            stored = LocalTransaction.call(dataSource,
                    connection -> store(connection, caller, ref, content, clientId, checkedMetadata));
        }
        if (stored.earlierMessageId() != null) {
            return new Posted(Message.findById(stored.earlierMessageId()), false);
        }
        knownSessions.put(ref, new KnownSession(stored.customerUserId(), stored.message().seq));
        events.written(stored.event());
        return new Posted(stored.message(), true);
    }

    /** A session of a tenant. */
    private record SessionRef(String tenantId, UUID sessionId) {
    }

    /** What this instance's last post to a session left: its owner (never changes) and last seq. */
    private record KnownSession(String customerUserId, long lastSeq) {
    }

    /** What a post did: stored a message and its event (in a session of that owner), or found an earlier one. */
    private record Stored(Message message, MessageCreated event, String customerUserId, UUID earlierMessageId) {
    }

    /** The one-statement post at the seq after the known last one; null: the session is not known here, or moved on. */
    private Stored storeAtKnownSeq(SessionRef ref, Caller caller, String content, String clientId,
            Map<String, Object> checkedMetadata) {
        KnownSession known = knownSessions.getIfPresent(ref);
        if (known == null) {
            return null;
        }
        SessionService.requireVisible(caller, known.customerUserId());
        Draft draft = draft(caller, ref, known.lastSeq() + 1, content, clientId, checkedMetadata);
        MessageRows.Inserted inserted = batches.write(events.newMessage(draft.message(), draft.preview(),
                draft.event()));
        Stored stored = inserted == null ? null : stored(caller, draft, known.customerUserId(), inserted);
        if (stored == null) {
            knownSessions.invalidate(ref);
        }
        return stored;
    }

    private Stored store(Connection connection, Caller caller, SessionRef ref, String content, String clientId,
            Map<String, Object> checkedMetadata) throws SQLException {
        // The row lock serializes writers of this session: seq stays gapless and a concurrent retry
        // with the same client_message_id finds the first message instead of inserting a second.
        MessageRows.LockedSession session = MessageRows.lock(connection, ref.tenantId(), ref.sessionId())
                .orElseThrow(Problems::sessionNotFound);
        SessionService.requireVisible(caller, session.customerUserId());
        if (session.status() != SessionStatus.OPEN) {
            // a retry of a post that made it before the session closed still gets its message
            Optional<MessageRows.Earlier> earlier = clientId == null ? Optional.empty()
                    : MessageRows.earlier(connection, ref.sessionId(), clientId);
            if (earlier.isPresent()) {
                return retried(caller, earlier.get());
            }
            throw Problems.sessionNotOpen(session.status().wireName());
        }
        // gapless: the row lock is held until commit
        Draft draft = draft(caller, ref, session.lastSeq() + 1, content, clientId, checkedMetadata);
        Stored stored = write(connection, caller, draft, session.customerUserId());
        if (stored == null) { // cannot happen under the lock: the session is open at this seq
            throw new IllegalStateException("session " + ref.sessionId() + " moved on under its row lock");
        }
        return stored;
    }

    /** Writes the draft, or finds the earlier post of its key; null when the session moved on. */
    private Stored write(Connection connection, Caller caller, Draft draft, String customerUserId)
            throws SQLException {
        MessageRows.Inserted inserted = events.recordMessage(connection, draft.message(), draft.preview(),
                draft.event());
        return stored(caller, draft, customerUserId, inserted);
    }

    /** What writing the draft did: stored it, found the earlier post of its key, or (null) nothing. */
    private static Stored stored(Caller caller, Draft draft, String customerUserId, MessageRows.Inserted inserted) {
        if (inserted.earlier() != null) {
            return retried(caller, inserted.earlier());
        }
        return inserted.written() ? new Stored(draft.message(), draft.event(), customerUserId, null) : null;
    }

    /** A message at {@code seq} and its event, not written yet. */
    private record Draft(Message message, String preview, MessageCreated event) {
    }

    private static Draft draft(Caller caller, SessionRef ref, long seq, String content, String clientId,
            Map<String, Object> checkedMetadata) {
        Instant now = Clock.now();
        Message message = new Message();
        message.id = UUID.randomUUID();
        message.tenantId = ref.tenantId();
        message.sessionId = ref.sessionId();
        message.seq = seq;
        message.role = caller.role();
        message.content = content;
        message.senderUserId = caller.userId();
        message.senderName = caller.name();
        message.clientMessageId = clientId;
        message.metadata = checkedMetadata;
        message.createdAt = now;
        String preview = content.length() > PREVIEW_LENGTH ? content.substring(0, PREVIEW_LENGTH) : content;
        MessageCreated event = new MessageCreated(UUID.randomUUID(), message.tenantId, message.sessionId, message.seq,
                now, message.id, message.role.wireName(), message.content, message.senderUserId, message.senderName,
                message.createdAt,
                message.clientMessageId, message.metadata);
        return new Draft(message, preview, event);
    }

    private static Stored retried(Caller caller, MessageRows.Earlier earlier) {
        if (!earlier.senderUserId().equals(caller.userId())) {
            // the key is the session's; a retry returns only the sender's own message
            throw Problems.clientMessageIdTaken();
        }
        return new Stored(null, null, null, earlier.messageId());
    }

    @Transactional
    public List<Message> list(Caller caller, UUID sessionId, long afterSeq, int limit) {
        ChatSession session = ChatSession.findInTenant(caller.tenantId(), sessionId)
                .orElseThrow(Problems::sessionNotFound);
        SessionService.requireVisible(caller, session);
        return Message.listAfter(caller.tenantId(), sessionId, afterSeq, limit);
    }

    /** One message of a session the caller may see (a deleted one blanked, as in the list). */
    @Transactional
    public Message get(Caller caller, UUID sessionId, UUID messageId) {
        ChatSession session = ChatSession.findInTenant(caller.tenantId(), sessionId)
                .orElseThrow(Problems::sessionNotFound);
        SessionService.requireVisible(caller, session);
        return Message.findInSession(caller.tenantId(), sessionId, messageId).orElseThrow(Problems::messageNotFound);
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
        message.blank(caller.userId(), now);
        if (message.id.equals(session.lastMessageId)) {
            session.lastMessagePreview = null;
        }
        session.updatedAt = now;
        SessionEvent.redactMessageContent(caller.tenantId(), sessionId, messageId);
        long seq = events.nextSeq(session);
        events.record(new MessageDeleted(UUID.randomUUID(), session.tenantId, session.id, seq, now, message.id,
                caller.userId(), now));
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
        PlainText.check(id, "client_message_id");
        return id;
    }
}
