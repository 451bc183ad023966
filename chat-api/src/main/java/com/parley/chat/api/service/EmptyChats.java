package com.parley.chat.api.service;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;

import com.parley.chat.api.config.ChatApiConfig;

import io.quarkus.logging.Log;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;

/**
 * Closes the open chats nobody wrote in for {@code empty-chats.close-after} (30 minutes): a visitor
 * who opened the widget and left would otherwise wait in the staff's queue for ever, count in the
 * live figures' "longest wait" and stand before real customers in the queue. Each is closed as staff
 * close a chat (a SessionStatusChanged, by {@code parley}), in its turn with its other writers;
 * every replica looks, and a chat closed by another is left alone.
 */
@ApplicationScoped
public class EmptyChats {

    private static final int BATCH = 100;

    @Inject
    ChatApiConfig config;

    @Inject
    EntityManager entityManager;

    @Inject
    SessionService sessions;

    @Inject
    SessionWrites sessionWrites;

    @Scheduled(every = "${parley.chat-api.empty-chats.check-every:1M}", delayed = "10s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void closeEmptyChats() {
        if (!config.emptyChats().enabled()) {
            return;
        }
        Instant startedBefore = Clock.now().minus(config.emptyChats().closeAfter());
        try {
            int closed = 0;
            List<Object[]> batch;
            do {
                batch = candidates(startedBefore);
                for (Object[] row : batch) {
                    String tenant = (String) row[0];
                    UUID session = (UUID) row[1];
                    if (sessionWrites.inTurn(session, () -> QuarkusTransaction.requiringNew()
                            .call(() -> sessions.closeEmpty(tenant, session, startedBefore)))) {
                        closed++;
                    }
                }
            } while (batch.size() == BATCH);
            if (closed > 0) {
                Log.infof("closed %d chats nobody wrote in for %s", closed, config.emptyChats().closeAfter());
            }
        } catch (RuntimeException failure) {
            Log.warnf("closing the empty chats failed, the next run tries again: %s", failure.toString());
        }
    }

    @SuppressWarnings("unchecked")
    private List<Object[]> candidates(Instant startedBefore) {
        return QuarkusTransaction.requiringNew().call(() -> entityManager.createNativeQuery("""
                select tenant_id, id from sessions
                where status = 'open' and last_message_id is null and created_at < ?1
                order by created_at limit ?2""")
                .setParameter(1, startedBefore).setParameter(2, BATCH).getResultList());
    }
}
