package com.parley.chat.api.service;

import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

import com.parley.chat.api.config.ChatApiConfig;
import com.parley.chat.api.domain.Role;

/**
 * The staff's saved replies: answers a tenant's admins write once under a shortcut ({@code hours})
 * and every operator inserts into a reply from the dashboard by typing {@code /hours}. Staff and
 * services read them; admins write them. Tenant data, not session data: no seq and no event (a
 * dashboard reads them when its operator starts a shortcut).
 */
@ApplicationScoped
public class SavedReplies {

    /** One saved reply as the API shows it. */
    public record SavedReply(UUID id, String shortcut, String content, String updatedBy, Instant updatedAt) {
    }

    /** Lower-case letters and digits, then also {@code -} and {@code _}: what a person types after {@code /}. */
    private static final Pattern SHORTCUT = Pattern.compile("[\\p{Ll}\\p{Lo}0-9][\\p{Ll}\\p{Lo}0-9_-]{0,31}");

    @Inject
    EntityManager entityManager;

    @Inject
    ChatApiConfig config;

    @Inject
    WriteLimits writeLimits;

    /** Every saved reply of the caller's tenant, by shortcut (staff and services). */
    @Transactional
    public List<SavedReply> list(Caller caller) {
        if (!caller.seesWholeTenant()) {
            throw Problems.forbidden("Saved replies are for the tenant's staff.");
        }
        @SuppressWarnings("unchecked")
        List<Object[]> rows = entityManager.createNativeQuery("""
                select id, shortcut, content, updated_by, updated_at from saved_replies
                where tenant_id = ?1 order by shortcut""")
                .setParameter(1, caller.tenantId()).getResultList();
        return rows.stream().map(SavedReplies::reply).toList();
    }

    /** Saves a new reply (admins); 409 when the tenant has one with this shortcut or has as many as it may keep. */
    @Transactional
    public SavedReply create(Caller caller, String rawShortcut, String rawContent) {
        String shortcut = checkShortcut(rawShortcut);
        String content = PlainText.content(rawContent, config.messages().maxLength());
        writingAs(caller);
        long count = ((Number) entityManager.createNativeQuery(
                "select count(*) from saved_replies where tenant_id = ?1")
                .setParameter(1, caller.tenantId()).getSingleResult()).longValue();
        int max = config.savedReplies().maxPerTenant();
        if (count >= max) {
            throw Problems.savedRepliesFull(max);
        }
        shortcutFree(caller, shortcut, null);
        Object[] row = (Object[]) entityManager.createNativeQuery("""
                insert into saved_replies (id, tenant_id, shortcut, content, updated_by, updated_at)
                values (?1, ?2, ?3, ?4, ?5, now())
                returning id, shortcut, content, updated_by, updated_at""")
                .setParameter(1, UUID.randomUUID()).setParameter(2, caller.tenantId()).setParameter(3, shortcut)
                .setParameter(4, content).setParameter(5, caller.userId()).getSingleResult();
        return reply(row);
    }

    /** Changes a reply's shortcut and content (admins). */
    @Transactional
    public SavedReply update(Caller caller, UUID id, String rawShortcut, String rawContent) {
        String shortcut = checkShortcut(rawShortcut);
        String content = PlainText.content(rawContent, config.messages().maxLength());
        writingAs(caller);
        shortcutFree(caller, shortcut, id);
        @SuppressWarnings("unchecked")
        List<Object[]> rows = entityManager.createNativeQuery("""
                update saved_replies set shortcut = ?3, content = ?4, updated_by = ?5, updated_at = now()
                where tenant_id = ?1 and id = ?2
                returning id, shortcut, content, updated_by, updated_at""")
                .setParameter(1, caller.tenantId()).setParameter(2, id).setParameter(3, shortcut)
                .setParameter(4, content).setParameter(5, caller.userId()).getResultList();
        if (rows.isEmpty()) {
            throw Problems.savedReplyNotFound();
        }
        return reply(rows.getFirst());
    }

    /** Deletes a reply (admins); 404 when the tenant has no such reply (any more). */
    @Transactional
    public void delete(Caller caller, UUID id) {
        writingAs(caller);
        int deleted = entityManager.createNativeQuery("delete from saved_replies where tenant_id = ?1 and id = ?2")
                .setParameter(1, caller.tenantId()).setParameter(2, id).executeUpdate();
        if (deleted == 0) {
            throw Problems.savedReplyNotFound();
        }
    }

    /**
     * Only admins write, within the write limits, one write of a tenant's replies at a time (a
     * transaction-long lock on the tenant's replies: the count and the shortcut check hold until
     * the write commits).
     */
    private void writingAs(Caller caller) {
        if (caller.role() != Role.ADMIN) {
            throw Problems.forbidden("Only admins change the saved replies.");
        }
        writeLimits.check(caller);
        entityManager.createNativeQuery("select pg_advisory_xact_lock(hashtextextended('saved_replies:' || ?1, 0))")
                .setParameter(1, caller.tenantId()).getSingleResult();
    }

    private void shortcutFree(Caller caller, String shortcut, UUID except) {
        List<?> taken = entityManager.createNativeQuery("""
                select id from saved_replies where tenant_id = ?1 and shortcut = ?2 and id <> ?3""")
                .setParameter(1, caller.tenantId()).setParameter(2, shortcut)
                .setParameter(3, except == null ? new UUID(0, 0) : except).getResultList();
        if (!taken.isEmpty()) {
            throw Problems.shortcutTaken(shortcut);
        }
    }

    /** As typed: without a leading {@code /} and white space, in lower case. */
    private static String checkShortcut(String raw) {
        if (raw == null) {
            throw Problems.validation("shortcut is required.", "shortcut");
        }
        String shortcut = raw.strip();
        if (shortcut.startsWith("/")) {
            shortcut = shortcut.substring(1);
        }
        shortcut = shortcut.toLowerCase(Locale.ROOT);
        if (!SHORTCUT.matcher(shortcut).matches()) {
            throw Problems.validation("shortcut must be 1 to 32 letters, digits, - or _, starting with a letter or "
                    + "a digit (what is typed after /).", "shortcut");
        }
        return shortcut;
    }

    private static SavedReply reply(Object[] row) {
        return new SavedReply((UUID) row[0], (String) row[1], (String) row[2], (String) row[3], Clock.ofColumn(row[4]));
    }
}
