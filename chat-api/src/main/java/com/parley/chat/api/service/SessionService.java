package com.parley.chat.api.service;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;

import com.parley.chat.api.config.ChatApiConfig;
import com.parley.chat.api.domain.ChatSession;
import com.parley.chat.api.domain.SessionEvent;
import com.parley.chat.api.domain.SessionStatus;
import com.parley.chat.api.messaging.SessionCreated;
import com.parley.chat.api.messaging.SessionRated;
import com.parley.chat.api.messaging.SessionStatusChanged;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

@ApplicationScoped
public class SessionService {

    @Inject
    WriteLimits writeLimits;

    @Inject
    EventRecorder events;

    @Inject
    MetadataRules metadataRules;

    @Inject
    MeterRegistry registry;

    @Inject
    ChatApiConfig config;

    /**
     * A customer starts a chat for themselves; staff and services may open one on behalf of a
     * named customer. The chat keeps the caller's name as the customer's when the caller is that
     * customer.
     */
    @Transactional
    public ChatSession create(Caller caller, String customerUserId, Map<String, Object> metadata) {
        writeLimits.check(caller);
        String customer = caller.seesWholeTenant() && customerUserId != null ? customerUserId.trim() : caller.userId();
        if (customer.isEmpty() || customer.length() > 255) {
            throw Problems.validation("customer_user_id must have 1 to 255 characters.", "customer_user_id");
        }
        Instant now = Clock.now();
        ChatSession session = new ChatSession();
        session.id = UUID.randomUUID();
        session.tenantId = caller.tenantId();
        session.customerUserId = customer;
        // the customer's name is theirs to give: only when they start the chat themselves
        session.customerName = customer.equals(caller.userId()) ? caller.name() : null;
        session.status = SessionStatus.OPEN;
        session.metadata = metadataRules.check(metadata);
        session.createdAt = now;
        session.updatedAt = now;
        long seq = events.nextSeq(session);
        session.persist();
        events.record(new SessionCreated(UUID.randomUUID(), session.tenantId, session.id, seq, now,
                session.customerUserId, session.customerName, session.status.wireName(), session.metadata, now));
        return session;
    }

    /** The session if the caller may see it; another tenant's or customer's session is "not found". */
    @Transactional
    public ChatSession get(Caller caller, UUID sessionId) {
        ChatSession session = ChatSession.findInTenant(caller.tenantId(), sessionId)
                .orElseThrow(Problems::sessionNotFound);
        requireVisible(caller, session);
        return session;
    }

    /**
     * Where an open session that nobody holds stands in its tenant's queue (1: next; the queue is
     * oldest first, as staff see it); null for a session that is held or over.
     */
    @Transactional
    public Long queuePosition(ChatSession session) {
        if (session.status != SessionStatus.OPEN || session.claimedBy != null) {
            return null;
        }
        Number ahead = (Number) ChatSession.getEntityManager().createNativeQuery("""
                select count(*) from sessions
                where tenant_id = ?1 and status = 'open' and claimed_by is null and (created_at, id) < (?2, ?3)""")
                .setParameter(1, session.tenantId).setParameter(2, session.createdAt).setParameter(3, session.id)
                .getSingleResult();
        return ahead.longValue() + 1;
    }

    /**
     * Sessions the caller sees, optionally of one customer ({@code customerUserId}; null: any they
     * see) or with a message containing {@code text} (null: any).
     */
    @Transactional
    public List<ChatSession> list(Caller caller, String customerUserId, SessionStatus status,
            ChatSession.ClaimFilter claim, String text, ChatSession.Position after, int offset, int limit) {
        // what PostgreSQL cannot compare (a NUL) is a bad parameter, not a failed query (500)
        for (String[] parameter : new String[][] {{"customer_user_id", customerUserId}, {"q", text}}) {
            String flaw = parameter[1] == null ? null : PlainText.flaw(parameter[1]);
            if (flaw != null) {
                throw Problems.badRequest(parameter[0] + " " + flaw + ".");
            }
        }
        String customer = caller.seesWholeTenant() ? customerUserId : caller.userId();
        if (!caller.seesWholeTenant() && customerUserId != null && !customerUserId.equals(caller.userId())) {
            return List.of(); // a customer sees only their own
        }
        // staff's notes are found by staff (and services), who read them; a customer's search never looks there
        ChatSession.Filter filter = new ChatSession.Filter(customer, status, claim, caller.userId(), text,
                caller.seesWholeTenant());
        if (text == null) {
            return ChatSession.listInTenant(caller.tenantId(), filter, after, offset, limit);
        }
        // a search reads every message of the tenant: bounded, for this transaction only
        Duration timeout = config.paging().searchTimeout();
        ChatSession.getEntityManager().createNativeQuery("set local statement_timeout = " + timeout.toMillis())
                .executeUpdate();
        try {
            return ChatSession.listInTenant(caller.tenantId(), filter, after, offset, limit);
        } catch (org.hibernate.QueryTimeoutException | jakarta.persistence.QueryTimeoutException stopped) {
            throw Problems.searchTooSlow(timeout);
        }
    }

    @Transactional
    public ChatSession changeStatus(Caller caller, UUID sessionId, SessionStatus target) {
        if (!caller.isStaff()) {
            ChatSession visible = get(caller, sessionId);
            throw Problems.forbidden("Only staff may change the status of session " + visible.id + ".");
        }
        if (target == SessionStatus.OPEN) {
            throw Problems.validation("status can change to closed or resolved only.", "status");
        }
        ChatSession session = ChatSession.lockInTenant(caller.tenantId(), sessionId)
                .orElseThrow(Problems::sessionNotFound);
        if (session.status == target) {
            return session; // repeating a change is harmless and emits nothing
        }
        if (session.status != SessionStatus.OPEN) {
            throw Problems.sessionNotOpen(session.status.wireName());
        }
        end(session, target, caller.userId());
        return session;
    }

    /** An open session (locked) becomes {@code target}, with its SessionStatusChanged by {@code by}. */
    private void end(ChatSession session, SessionStatus target, String by) {
        Instant now = Clock.now();
        session.status = target;
        session.updatedAt = now;
        events.record(new SessionStatusChanged(UUID.randomUUID(), session.tenantId, session.id, events.nextSeq(session),
                now, SessionStatus.OPEN.wireName(), target.wireName(), by));
    }

    /**
     * The platform itself as {@code by} of an event: it closes a chat nobody wrote in, and releases
     * the chats of an operator who left.
     */
    public static final String PLATFORM = "parley";

    /**
     * Closes an open session that still has no message and started before {@code startedBefore}
     * (checked under its row lock: a first message that came meanwhile keeps it open); true when it did.
     */
    @Transactional
    public boolean closeEmpty(String tenantId, UUID sessionId, Instant startedBefore) {
        ChatSession session = ChatSession.lockInTenant(tenantId, sessionId).orElse(null);
        if (session == null || session.status != SessionStatus.OPEN || session.lastMessageId != null
                || !session.createdAt.isBefore(startedBefore)) {
            return false;
        }
        end(session, SessionStatus.CLOSED, PLATFORM);
        return true;
    }

    /**
     * The customer rates their chat once it ended ({@code good} or {@code bad}); they may change their
     * mind, and giving the same rating again changes nothing and emits nothing. Staff and services
     * rate nothing (403); another customer's chat is not found.
     */
    @Transactional
    public ChatSession rate(Caller caller, UUID sessionId, String rating) {
        if (!"good".equals(rating) && !"bad".equals(rating)) {
            throw Problems.validation("rating must be good or bad.", "rating");
        }
        ChatSession session = ChatSession.lockInTenant(caller.tenantId(), sessionId)
                .orElseThrow(Problems::sessionNotFound);
        requireVisible(caller, session); // a customer past this is the session's own
        if (caller.seesWholeTenant()) {
            throw Problems.forbidden("Only the session's customer rates it.");
        }
        if (session.status == SessionStatus.OPEN) {
            throw Problems.sessionStillOpen();
        }
        if (rating.equals(session.rating)) {
            return session;
        }
        Instant now = Clock.now();
        session.rating = rating;
        session.ratedAt = now;
        session.updatedAt = now;
        long seq = events.nextSeq(session);
        events.record(new SessionRated(UUID.randomUUID(), session.tenantId, session.id, seq, now, rating,
                caller.userId()));
        // how chats go, for the operators' dashboards (per tenant: the SessionRated events)
        Counter.builder("parley.session.ratings").description("Ratings customers gave chats that ended (each change "
                + "of mind counts)").tag("rating", rating).register(registry).increment();
        return session;
    }

    /** Events of a session after {@code afterSeq}, in seq order. */
    @Transactional
    public List<SessionEvent> history(Caller caller, UUID sessionId, long afterSeq, int limit) {
        get(caller, sessionId);
        return SessionEvent.listAfter(caller.tenantId(), sessionId, afterSeq, limit);
    }

    static void requireVisible(Caller caller, ChatSession session) {
        requireVisible(caller, session.customerUserId);
    }

    /** A customer sees only their own sessions; another's answers 404, as one that does not exist. */
    static void requireVisible(Caller caller, String customerUserId) {
        if (!caller.seesWholeTenant() && !customerUserId.equals(caller.userId())) {
            throw Problems.sessionNotFound();
        }
    }
}
