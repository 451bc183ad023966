package com.parley.chat.api.service;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

import com.parley.chat.api.config.ChatApiConfig;
import com.parley.chat.api.domain.Role;
import com.parley.chat.api.messaging.NoteAdded;
import com.parley.chat.api.messaging.NoteDeleted;

/**
 * Notes on a session for the tenant's staff and services, never for its customer: what one
 * operator leaves for the next (a transfer, a shift change), what an assistant sums up. Written
 * in any status (a note after the chat ended is common); published as {@link NoteAdded} on
 * chat.tenant-events, in the same transaction; no seq and no session history.
 */
@ApplicationScoped
public class SessionNotes {

    /** One note as the API shows it. */
    public record Note(UUID id, UUID sessionId, String authorUserId, String authorName, String authorRole,
            String content, Instant createdAt) {
    }

    @Inject
    EntityManager entityManager;

    @Inject
    SessionService sessions;

    @Inject
    EventRecorder events;

    @Inject
    WriteLimits writeLimits;

    @Inject
    ChatApiConfig config;

    @Transactional
    public Note add(Caller caller, UUID sessionId, String rawContent) {
        staffOnly(caller);
        String content = PlainText.content(rawContent, config.messages().maxLength());
        sessions.get(caller, sessionId); // 404 for another tenant's
        writeLimits.check(caller);
        NoteAdded note = new NoteAdded(UUID.randomUUID(), caller.tenantId(), sessionId, Clock.now(), caller.userId(),
                caller.name(), caller.role().wireName(), content);
        entityManager.createNativeQuery("""
                insert into session_notes (id, tenant_id, session_id, author_user_id, author_name, author_role,
                                           content, created_at)
                values (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)""")
                .setParameter(1, note.noteId()).setParameter(2, note.tenantId()).setParameter(3, sessionId)
                .setParameter(4, note.authorUserId()).setParameter(5, note.authorName())
                .setParameter(6, note.authorRole()).setParameter(7, content).setParameter(8, note.occurredAt())
                .executeUpdate();
        events.record(note);
        return new Note(note.noteId(), sessionId, note.authorUserId(), note.authorName(), note.authorRole(), content,
                note.occurredAt());
    }

    /** The session's notes, oldest first. */
    @Transactional
    public List<Note> list(Caller caller, UUID sessionId) {
        staffOnly(caller);
        sessions.get(caller, sessionId);
        @SuppressWarnings("unchecked")
        List<Object[]> rows = entityManager.createNativeQuery("""
                select id, author_user_id, author_name, author_role, content, created_at from session_notes
                where tenant_id = ?1 and session_id = ?2 order by created_at, id""")
                .setParameter(1, caller.tenantId()).setParameter(2, sessionId).getResultList();
        return rows.stream().map(row -> new Note((UUID) row[0], sessionId, (String) row[1], (String) row[2],
                (String) row[3], (String) row[4], Clock.ofColumn(row[5]))).toList();
    }

    /** Deletes a note: its author, or an admin; 404 when the session has no such note (any more). */
    @Transactional
    public void delete(Caller caller, UUID sessionId, UUID noteId) {
        staffOnly(caller);
        sessions.get(caller, sessionId);
        List<?> authors = entityManager.createNativeQuery("""
                select author_user_id from session_notes where tenant_id = ?1 and session_id = ?2 and id = ?3
                for update""")
                .setParameter(1, caller.tenantId()).setParameter(2, sessionId).setParameter(3, noteId).getResultList();
        if (authors.isEmpty()) {
            throw Problems.noteNotFound();
        }
        if (caller.role() != Role.ADMIN && !caller.userId().equals(authors.getFirst())) {
            throw Problems.forbidden("A note is deleted by its author or an admin.");
        }
        writeLimits.check(caller);
        entityManager.createNativeQuery("delete from session_notes where tenant_id = ?1 and id = ?2")
                .setParameter(1, caller.tenantId()).setParameter(2, noteId).executeUpdate();
        events.record(new NoteDeleted(noteId, caller.tenantId(), sessionId, Clock.now(), caller.userId()));
    }

    /** An erasure: the notes on a session of the customer go with their messages; how many. */
    @Transactional(Transactional.TxType.MANDATORY)
    public int erase(String tenantId, UUID sessionId) {
        return entityManager.createNativeQuery("delete from session_notes where tenant_id = ?1 and session_id = ?2")
                .setParameter(1, tenantId).setParameter(2, sessionId).executeUpdate();
    }

    private static void staffOnly(Caller caller) {
        if (!caller.seesWholeTenant()) {
            throw Problems.forbidden("Notes are for the tenant's staff.");
        }
    }
}
