package com.parley.chat.api.service;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.Query;
import jakarta.transaction.Transactional;

import com.parley.chat.api.domain.ChatSession;
import com.parley.chat.api.domain.Role;
import com.parley.chat.api.domain.SessionStatus;
import com.parley.chat.api.messaging.SessionClaimed;
import com.parley.chat.api.messaging.SessionReleased;

/**
 * Who holds a session (SPEC 6a): claim, release, transfer, take over. Every change takes the
 * session's row lock, so concurrent claims have exactly one winner, and is a session event with
 * its seq. Repeating a change that is already so changes nothing and emits nothing.
 */
@ApplicationScoped
public class ClaimService {

    @Inject
    EventRecorder events;

    /** The caller (staff) holds the session afterwards; another holder means 409, unless an admin takes over. */
    @Transactional
    public ChatSession claim(Caller caller, UUID sessionId, boolean takeOver) {
        ChatSession session = lockedForStaff(caller, sessionId);
        if (caller.userId().equals(session.claimedBy)) {
            return session;
        }
        requireOpen(session);
        if (session.claimedBy != null && !(takeOver && caller.role() == Role.ADMIN)) {
            throw Problems.sessionClaimed(session.claimedBy);
        }
        hand(session, caller.userId(), caller);
        return session;
    }

    /**
     * Nobody holds the session afterwards; only its holder or an admin may release it. A closed or
     * resolved session keeps its holder, the record of who handled it: releasing it is refused.
     */
    @Transactional
    public ChatSession release(Caller caller, UUID sessionId) {
        ChatSession session = lockedForStaff(caller, sessionId);
        if (session.claimedBy == null) {
            return session;
        }
        requireOpen(session);
        requireHolderOrAdmin(caller, session);
        free(session, caller.userId());
        return session;
    }

    /**
     * Releases an open session that {@code holder} still holds, on chat-api's own authority (by
     * {@code parley}): its holder left (docs/decisions.md, "chats of an operator who left"). A session
     * another took meanwhile, or that ended, is left alone. Returns whether it released it.
     */
    @Transactional
    public boolean releaseLeftBy(String tenantId, UUID sessionId, String holder) {
        ChatSession session = ChatSession.lockInTenant(tenantId, sessionId).orElse(null);
        if (session == null || session.status != SessionStatus.OPEN || !holder.equals(session.claimedBy)) {
            return false;
        }
        free(session, SessionService.PLATFORM);
        return true;
    }

    /** An open session, its tenant and who holds it. */
    public record Held(String tenantId, UUID sessionId, String holder) {
    }

    /** The open sessions that any of {@code holders} holds in their tenant, in one query per 500 of them. */
    @Transactional
    public List<Held> heldBy(Collection<AnnouncedOperators.Operator> holders) {
        List<AnnouncedOperators.Operator> all = List.copyOf(holders);
        List<Held> held = new ArrayList<>();
        for (int from = 0; from < all.size(); from += NativeRows.PER_STATEMENT) {
            List<AnnouncedOperators.Operator> chunk = all.subList(from,
                    Math.min(all.size(), from + NativeRows.PER_STATEMENT));
            // one index lookup per operator: "offset 0" keeps PostgreSQL from turning the lateral
            // subquery into a join, which it plans as a hash join over every claimed session (37 ms for
            // 500 operators on a table of 300,000 sessions with this index); 500 pairs in a
            // "(tenant_id, claimed_by) in (…)" took 72 ms to plan; this, 5 ms in all
            Query query = ChatSession.getEntityManager().createNativeQuery("select d.tenant_id, s.id, s.claimed_by"
                    + " from (values " + NativeRows.of(chunk.size(), 2) + ") as d (tenant_id, user_id)"
                    + " cross join lateral (select id, claimed_by from sessions where tenant_id = d.tenant_id"
                    + " and claimed_by = d.user_id and claimed_by is not null and status = 'open' offset 0) as s",
                    Object[].class);
            for (int i = 0; i < chunk.size(); i++) {
                query.setParameter(2 * i + 1, chunk.get(i).tenantId()).setParameter(2 * i + 2, chunk.get(i).userId());
            }
            @SuppressWarnings("unchecked")
            List<Object[]> rows = query.getResultList();
            rows.forEach(row -> held.add(new Held((String) row[0], (UUID) row[1], (String) row[2])));
        }
        return held;
    }

    /** {@code toUserId} holds the session afterwards; its holder or an admin may transfer it. */
    @Transactional
    public ChatSession transfer(Caller caller, UUID sessionId, String toUserId) {
        String target = toUserId == null ? "" : toUserId.trim();
        if (target.isEmpty() || target.length() > 255) {
            throw Problems.validation("to_user_id must have 1 to 255 characters.", "to_user_id");
        }
        PlainText.check(target, "to_user_id");
        ChatSession session = lockedForStaff(caller, sessionId);
        if (target.equals(session.claimedBy)) {
            return session;
        }
        if (target.equals(session.customerUserId)) { // nobody but an admin could release it then
            throw Problems.validation("to_user_id names the session's customer; transfer it to a staff member.",
                    "to_user_id");
        }
        requireOpen(session);
        if (session.claimedBy != null) {
            requireHolderOrAdmin(caller, session);
        } else if (caller.role() != Role.ADMIN && !caller.userId().equals(target)) {
            throw Problems.forbidden("Claim the session before you transfer it.");
        }
        hand(session, target, caller);
        return session;
    }

    /** Open sessions held per staff member of the caller's tenant (staff only). */
    @Transactional
    public java.util.Map<String, Long> workload(Caller caller) {
        if (!caller.seesWholeTenant()) {
            throw Problems.forbidden("Only staff see the workload.");
        }
        java.util.Map<String, Long> held = new java.util.TreeMap<>();
        ChatSession.getEntityManager().createQuery("select s.claimedBy, count(s) from ChatSession s where "
                + "s.tenantId = ?1 and s.status = ?2 and s.claimedBy is not null group by s.claimedBy", Object[].class)
                .setParameter(1, caller.tenantId()).setParameter(2, SessionStatus.OPEN).getResultList()
                .forEach(row -> held.put((String) row[0], ((Number) row[1]).longValue()));
        return held;
    }

    /**
     * Open and unclaimed sessions, since when the oldest unclaimed one waits (null: none), and how
     * customers rated the chats they rated in the last 24 hours.
     */
    public record SessionFigures(long openSessions, long unclaimedSessions, Instant oldestUnclaimedSince,
            long ratedGoodLastDay, long ratedBadLastDay) {
    }

    /** The tenant's session figures, for its admins' live figures. */
    @Transactional
    public SessionFigures figures(Caller caller) {
        if (caller.role() != Role.ADMIN) {
            throw Problems.forbidden("Only admins see the tenant's figures.");
        }
        Object[] row = (Object[]) ChatSession.getEntityManager().createNativeQuery("""
                select count(*) filter (where status = 'open'),
                       count(*) filter (where status = 'open' and claimed_by is null),
                       min(created_at) filter (where status = 'open' and claimed_by is null),
                       count(*) filter (where rating = 'good' and rated_at > now() - interval '24 hours'),
                       count(*) filter (where rating = 'bad' and rated_at > now() - interval '24 hours')
                from sessions where tenant_id = ?1""").setParameter(1, caller.tenantId()).getSingleResult();
        return new SessionFigures(((Number) row[0]).longValue(), ((Number) row[1]).longValue(),
                row[2] == null ? null : Clock.ofColumn(row[2]), ((Number) row[3]).longValue(),
                ((Number) row[4]).longValue());
    }

    /** Nobody holds the session afterwards: a SessionReleased naming who held it and who let it go. */
    private void free(ChatSession session, String by) {
        Instant now = Clock.now();
        String previous = session.claimedBy;
        session.claimedBy = null;
        session.claimedAt = null;
        session.updatedAt = now;
        events.record(new SessionReleased(UUID.randomUUID(), session.tenantId, session.id, events.nextSeq(session),
                now, previous, by));
    }

    private void hand(ChatSession session, String holder, Caller by) {
        Instant now = Clock.now();
        String previous = session.claimedBy;
        session.claimedBy = holder;
        session.claimedAt = now;
        session.updatedAt = now;
        events.record(new SessionClaimed(UUID.randomUUID(), session.tenantId, session.id, events.nextSeq(session), now,
                holder, previous, by.userId()));
    }

    private static ChatSession lockedForStaff(Caller caller, UUID sessionId) {
        ChatSession session = ChatSession.lockInTenant(caller.tenantId(), sessionId)
                .orElseThrow(Problems::sessionNotFound);
        SessionService.requireVisible(caller, session);
        if (!caller.isStaff()) {
            throw Problems.forbidden("Only staff may claim, release or transfer a session.");
        }
        return session;
    }

    private static void requireOpen(ChatSession session) {
        if (session.status != SessionStatus.OPEN) {
            throw Problems.sessionNotOpen(session.status.wireName());
        }
    }

    private static void requireHolderOrAdmin(Caller caller, ChatSession session) {
        if (caller.role() != Role.ADMIN && !Objects.equals(caller.userId(), session.claimedBy)) {
            throw Problems.sessionClaimed(session.claimedBy);
        }
    }
}
