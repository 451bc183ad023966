package com.parley.chat.api.messaging;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;

import org.apache.kafka.clients.producer.RecordMetadata;

import com.parley.chat.api.config.ChatApiConfig;
import com.parley.chat.api.domain.OutboxEntry;

import io.quarkus.logging.Log;
import io.quarkus.narayana.jta.QuarkusTransaction;

/**
 * One pass of the relay, in its own transaction: take the advisory lock (one relay publishes at
 * a time across chat-api replicas), read the oldest rows, send them, delete what Kafka acknowledged.
 */
@ApplicationScoped
public class RelayBatch {

    /** Advisory lock key: one relay publishes at a time across chat-api replicas. */
    static final long RELAY_LOCK_KEY = 0x5061726c65794f62L;

    /** How a pass went: rows acknowledged, and whether a send failed. */
    record Result(int published, boolean failed) {
    }

    /**
     * The rows that may be deleted: those acknowledged before the first that was not. A row
     * acknowledged after a failed one stays too and is sent again (consumers drop the duplicate
     * by seq): deleting it would let it reach the topic before the failed one, out of order.
     */
    static <T> List<T> acknowledgedPrefix(List<T> batch, List<Boolean> acknowledged) {
        int prefix = 0;
        while (prefix < batch.size() && prefix < acknowledged.size() && acknowledged.get(prefix)) {
            prefix++;
        }
        return batch.subList(0, prefix);
    }

    @Inject
    ChatApiConfig config;

    @Inject
    EntityManager entityManager;

    @Inject
    OutboxProducer producer;

    @Inject
    RelayStatus status;

    @Inject
    PublishedTail tail;

    /**
     * @param recovering at start and after a failure: rows that reached the topic although their
     *        deletion never committed are deleted first, and the first row goes alone
     */
    Result publish(boolean recovering) {
        return QuarkusTransaction.requiringNew().call(() -> {
            Boolean locked = (Boolean) entityManager.createNativeQuery("select pg_try_advisory_xact_lock(?1)")
                    .setParameter(1, RELAY_LOCK_KEY).getSingleResult();
            if (!Boolean.TRUE.equals(locked)) {
                return new Result(0, false); // another replica is relaying
            }
            List<OutboxEntry> batch = OutboxEntry.oldest(config.outbox().batchSize());
            if (recovering && !batch.isEmpty()) {
                batch = withoutPublished(batch);
            }
            if (batch.isEmpty()) {
                status.backlog(0);
                return new Result(0, false);
            }
            if (recovering && batch.size() > 1) {
                // After a failure the first record goes alone: an idempotent producer can fail the
                // first send after an outage while later ones succeed, which would reorder a session.
                batch = batch.subList(0, 1);
            }
            List<Future<RecordMetadata>> sends = new ArrayList<>(batch.size());
            for (OutboxEntry entry : batch) {
                sends.add(producer.send(entry));
            }
            List<Boolean> outcomes = new ArrayList<>(batch.size());
            long deadline = System.nanoTime() + config.outbox().sendTimeout().toNanos();
            boolean failed = false;
            for (int i = 0; i < batch.size(); i++) {
                OutboxEntry entry = batch.get(i);
                try {
                    sends.get(i).get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                    outcomes.add(true);
                    status.acknowledged(entry.occurredAt);
                } catch (Exception e) {
                    if (!failed) {
                        status.sendFailed("kafka: " + OutboxRelay.rootMessage(e));
                        Log.warnf("outbox relay: Kafka did not acknowledge event %s: %s", entry.eventId,
                                status.lastError());
                    }
                    outcomes.add(false);
                    failed = true;
                }
            }
            List<Long> acked = acknowledgedPrefix(batch, outcomes).stream().map(entry -> entry.id).toList();
            OutboxEntry.deleteIds(acked);
            status.published(acked.size());
            if (!failed) {
                status.healthy();
            }
            // a full batch means more may wait: count them; otherwise what was there is published
            // (a count per batch was a quarter of the relay's CPU at 50 messages/s)
            status.backlog(failed || batch.size() == config.outbox().batchSize() ? OutboxEntry.count() : 0);
            return new Result(acked.size(), failed);
        });
    }

    /**
     * Drops (and deletes) the rows of the batch the topic already holds: a relay killed after
     * Kafka's acknowledgement but before its delete committed would otherwise publish them twice.
     */
    private List<OutboxEntry> withoutPublished(List<OutboxEntry> batch) {
        Set<String> published = tail.recentEventIds(config.outbox().topic(), config.outbox().batchSize(),
                config.outbox().sendTimeout());
        List<Long> done = new ArrayList<>();
        List<OutboxEntry> rest = new ArrayList<>();
        for (OutboxEntry entry : batch) {
            if (entry.topic.equals(config.outbox().topic()) && published.contains(entry.eventId.toString())) {
                done.add(entry.id);
            } else {
                rest.add(entry);
            }
        }
        if (!done.isEmpty()) {
            OutboxEntry.deleteIds(done);
            Log.infof("outbox relay: %d events were already on the topic; not sent again", done.size());
        }
        return rest;
    }
}
