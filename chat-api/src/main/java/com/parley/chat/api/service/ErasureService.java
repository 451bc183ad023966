package com.parley.chat.api.service;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import com.parley.chat.api.domain.ChatSession;
import com.parley.chat.api.domain.Message;
import com.parley.chat.api.domain.Role;
import com.parley.chat.api.domain.SessionEvent;
import com.parley.chat.api.domain.SessionStatus;
import com.parley.chat.api.messaging.MessageDeleted;
import com.parley.chat.api.messaging.SessionStatusChanged;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.panache.common.Sort;

/**
 * A customer's request to have their chats erased (a privacy request), carried out by an admin:
 * every message of every session of that customer, theirs and staff's, is deleted as a delete
 * does it (content and metadata blanked in the row and in history, a {@code MessageDeleted} each),
 * the sessions' own metadata and staff's notes on them are dropped, and an open session is closed. One transaction per
 * session, each in its turn with the session's other writers: a failure part way leaves whole
 * sessions erased, and asking again finishes the rest (an erased session has nothing left to erase
 * and emits nothing).
 */
@ApplicationScoped
public class ErasureService {

    /** What an erasure did. */
    public record Erasure(String customerUserId, int sessions, int messages) {
    }

    @Inject
    EventRecorder events;

    @Inject
    WriteLimits writeLimits;

    @Inject
    SessionWrites sessionWrites;

    @Inject
    SessionNotes notes;

    public Erasure erase(Caller caller, String rawCustomer) {
        if (caller.role() != Role.ADMIN) {
            throw Problems.forbidden("Only admins erase a customer's chats.");
        }
        String customer = rawCustomer == null ? "" : rawCustomer.trim();
        if (customer.isEmpty() || customer.length() > 255) {
            throw Problems.validation("customer_user_id must have 1 to 255 characters.", "customer_user_id");
        }
        PlainText.check(customer, "customer_user_id");
        writeLimits.check(caller);
        List<UUID> sessions = QuarkusTransaction.requiringNew().call(() -> ChatSession.<ChatSession>list(
                "tenantId = ?1 and customerUserId = ?2", caller.tenantId(), customer).stream().map(s -> s.id).toList());
        int messages = 0;
        for (UUID session : sessions) {
            messages += sessionWrites.inTurn(session,
                    () -> QuarkusTransaction.requiringNew().call(() -> eraseSession(caller, session)));
        }
        return new Erasure(customer, sessions.size(), messages);
    }

    /** Erases one session; returns how many messages were still there to erase. */
    private int eraseSession(Caller caller, UUID sessionId) {
        ChatSession session = ChatSession.lockInTenant(caller.tenantId(), sessionId).orElse(null);
        if (session == null) {
            return 0;
        }
        Instant now = Clock.now();
        List<Message> left = Message.list("tenantId = ?1 and sessionId = ?2 and deletedAt is null", Sort.ascending("seq"),
                caller.tenantId(), sessionId);
        for (Message message : left) {
            message.blank(caller.userId(), now);
            events.record(new MessageDeleted(UUID.randomUUID(), session.tenantId, session.id, events.nextSeq(session),
                    now, message.id, caller.userId(), now));
        }
        SessionEvent.redactSession(caller.tenantId(), sessionId);
        notes.erase(caller.tenantId(), sessionId); // staff's notes about the customer go too
        boolean close = session.status == SessionStatus.OPEN;
        if (close) {
            session.status = SessionStatus.CLOSED;
            events.record(new SessionStatusChanged(UUID.randomUUID(), session.tenantId, session.id,
                    events.nextSeq(session), now, SessionStatus.OPEN.wireName(), SessionStatus.CLOSED.wireName(),
                    caller.userId()));
        }
        if (close || !left.isEmpty() || session.metadata != null || session.customerName != null
                || session.lastMessagePreview != null) {
            session.metadata = null;
            session.customerName = null;
            session.lastMessagePreview = null;
            session.updatedAt = now;
        }
        return left.size();
    }
}
