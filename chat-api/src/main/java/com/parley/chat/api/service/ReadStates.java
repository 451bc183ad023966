package com.parley.chat.api.service;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

import com.parley.chat.api.domain.ChatSession;
import com.parley.chat.api.domain.Role;

/**
 * How far each participant has read each session (SPEC 6a), so unread badges survive a reload. A
 * read cursor only moves forward and never beyond the session's last seq; unread counts are the
 * messages after it that others wrote and nobody deleted.
 */
@ApplicationScoped
public class ReadStates {

    /** A participant's cursor on a session, and what is left to read. */
    public record ReadState(UUID sessionId, String userId, long lastReadSeq, long unreadCount) {
    }

    /** How far one participant of a session has read, as they read it ({@code role}: as their messages carry it). */
    public record Read(String userId, String role, long lastReadSeq, Instant readAt) {
    }

    @Inject
    EntityManager entityManager;

    @Inject
    SessionService sessions;

    @Transactional
    public ReadState markRead(Caller caller, UUID sessionId, Long upToSeq) {
        ChatSession session = sessions.get(caller, sessionId);
        if (upToSeq == null || upToSeq < 0 || upToSeq > session.lastSeq) {
            throw Problems.validation("up_to_seq must be a seq of this session (0 to " + session.lastSeq + ").",
                    "up_to_seq");
        }
        Number stored = (Number) entityManager.createNativeQuery("""
                insert into read_state (session_id, user_id, tenant_id, last_read_seq, updated_at, role)
                values (?1, ?2, ?3, ?4, now(), ?5)
                on conflict (session_id, user_id) do update
                    set last_read_seq = greatest(read_state.last_read_seq, excluded.last_read_seq),
                        updated_at = excluded.updated_at, role = excluded.role
                returning last_read_seq""")
                .setParameter(1, sessionId).setParameter(2, caller.userId()).setParameter(3, caller.tenantId())
                .setParameter(4, upToSeq).setParameter(5, caller.role().wireName()).getSingleResult();
        return new ReadState(sessionId, caller.userId(), stored.longValue(),
                unreadCounts(caller, List.of(sessionId)).getOrDefault(sessionId, 0L));
    }

    /** How far each participant of a session the caller sees has read it, the furthest first. */
    @Transactional
    public List<Read> reads(Caller caller, UUID sessionId) {
        ChatSession session = sessions.get(caller, sessionId);
        @SuppressWarnings("unchecked")
        List<Object[]> rows = entityManager.createNativeQuery("""
                select user_id, role, last_read_seq, updated_at from read_state
                where tenant_id = ?1 and session_id = ?2
                order by last_read_seq desc, user_id""")
                .setParameter(1, caller.tenantId()).setParameter(2, sessionId).getResultList();
        return rows.stream().map(row -> {
            String userId = (String) row[0];
            // a row stored before roles were: the customer's is theirs, another's is unknown
            String role = row[1] != null ? (String) row[1]
                    : userId.equals(session.customerUserId) ? Role.USER.wireName() : null;
            return new Read(userId, role, ((Number) row[2]).longValue(), Clock.ofColumn(row[3]));
        }).toList();
    }

    /** The caller's unread messages in each of the sessions (0 where none). */
    @Transactional
    public Map<UUID, Long> unreadCounts(Caller caller, List<UUID> sessionIds) {
        Map<UUID, Long> counts = new HashMap<>();
        if (sessionIds.isEmpty()) {
            return counts;
        }
        @SuppressWarnings("unchecked")
        List<Object[]> rows = entityManager.createNativeQuery("""
                select m.session_id, count(*)
                from messages m
                left join read_state r on r.session_id = m.session_id and r.user_id = ?2
                where m.tenant_id = ?1 and m.session_id = any(cast(?3 as uuid[]))
                  and m.seq > coalesce(r.last_read_seq, 0)
                  and m.sender_user_id <> ?2 and m.deleted_at is null
                group by m.session_id""")
                .setParameter(1, caller.tenantId()).setParameter(2, caller.userId())
                .setParameter(3, sessionIds.toArray(UUID[]::new)).getResultList();
        for (Object[] row : rows) {
            counts.put((UUID) row[0], ((Number) row[1]).longValue());
        }
        return counts;
    }
}
