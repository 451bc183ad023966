package com.parley.chat.api.service;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.Query;
import jakarta.transaction.Transactional;

/**
 * The operators the gateways have announced, as every chat-api replica heard them, kept in the
 * database: what {@link OperatorDepartures} knows outlives a restart and reaches a new replica, so
 * an operator who closed their last dashboard just before chat-api started still has their chats
 * released. A row says "this operator works through a dashboard" and when that was last seen (to
 * within {@link #REFRESH_EVERY}); how long they have been silent is judged only from what a
 * running replica reads.
 */
@ApplicationScoped
public class AnnouncedOperators {

    /** A staff member of a tenant. */
    public record Operator(String tenantId, String userId) {
    }

    /** A row is written when a replica first hears an operator, then at most this often. */
    static final Duration REFRESH_EVERY = Duration.ofHours(1);
    /**
     * Operators no replica heard for this long are not waited for after a start: every chat they held
     * was released long ago by a running replica (one handed to them afterwards keeps them).
     */
    static final Duration REMEMBERED_FOR = Duration.ofDays(30);

    @Inject
    EntityManager entityManager;

    /** Notes when each operator was announced (a row moves forward only), up to 500 rows a statement. */
    @Transactional
    public void heard(Map<Operator, Instant> operators) {
        List<Map.Entry<Operator, Instant>> rows = List.copyOf(operators.entrySet());
        for (int from = 0; from < rows.size(); from += NativeRows.PER_STATEMENT) {
            List<Map.Entry<Operator, Instant>> chunk = rows.subList(from,
                    Math.min(rows.size(), from + NativeRows.PER_STATEMENT));
            Query upsert = entityManager.createNativeQuery("insert into announced_operators"
                    + " (tenant_id, user_id, last_announced_at) values " + NativeRows.of(chunk.size(), 3)
                    + " on conflict (tenant_id, user_id) do update set last_announced_at ="
                    + " greatest(announced_operators.last_announced_at, excluded.last_announced_at)");
            for (int i = 0; i < chunk.size(); i++) {
                upsert.setParameter(3 * i + 1, chunk.get(i).getKey().tenantId())
                        .setParameter(3 * i + 2, chunk.get(i).getKey().userId())
                        .setParameter(3 * i + 3, chunk.get(i).getValue());
            }
            upsert.executeUpdate();
        }
    }

    /** Every operator some replica heard within {@link #REMEMBERED_FOR} before {@code now}. */
    @Transactional
    public List<Operator> recent(Instant now) {
        List<Object[]> rows = entityManager.createNativeQuery(
                "select tenant_id, user_id from announced_operators where last_announced_at > ?1", Object[].class)
                .setParameter(1, now.minus(REMEMBERED_FOR)).getResultList();
        return rows.stream().map(row -> new Operator((String) row[0], (String) row[1])).toList();
    }
}
