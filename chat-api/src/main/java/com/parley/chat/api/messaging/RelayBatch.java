package com.parley.chat.api.messaging;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.apache.kafka.clients.producer.RecordMetadata;

import com.parley.chat.api.config.ChatApiConfig;
import com.parley.chat.api.domain.LocalTransaction;

import io.quarkus.logging.Log;

/**
 * One pass of the relay, in a local transaction of its own ({@link LocalTransaction}; plain JDBC: the
 * relay's Hibernate queries and JTA transaction were a fifth of chat-api's CPU at 1,000
 * messages/s). The pass's first statement takes the advisory lock (one relay publishes at a time
 * across chat-api replicas), deletes the rows Kafka acknowledged in the pass before, and reads the
 * oldest rows; the rows are sent, and the commit (after Kafka's acknowledgements) ends the lock.
 * Two round trips to PostgreSQL per pass.
 */
@ApplicationScoped
public class RelayBatch {

    /** Advisory lock key: one relay publishes at a time across chat-api replicas. */
    static final long RELAY_LOCK_KEY = 0x5061726c65794f62L;

    /**
     * The lock, the delete of what was acknowledged, and the oldest rows. The select sees the table
     * as it was before the statement, so it leaves out the ids deleted in the same statement
     * itself; without the lock it reads nothing (the delete still runs: an acknowledged row may
     * go whoever holds the lock).
     */
    private static final String PASS = """
            with relay_lock as (select pg_try_advisory_xact_lock(?) as held),
                 acknowledged as (delete from outbox where id = any(?))
            select l.held, o.* from relay_lock l left join lateral (
                select %s from outbox where l.held and id <> all(?) order by id limit ?
            ) o on true
            """.formatted(OutboxRow.COLUMNS);

    private static final String DELETE = "delete from outbox where id = any(?)";

    private static final String COUNT = "select count(*) from outbox";

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
    DataSource dataSource;

    @Inject
    OutboxProducer producer;

    @Inject
    RelayStatus status;

    @Inject
    PublishedTail tail;

    /**
     * Ids Kafka acknowledged whose delete goes with the next pass's first statement (relay thread
     * only): kept until a pass that deleted them commits.
     */
    private List<Long> toDelete = List.of();

    /**
     * @param recovering at start and after a failure: rows that reached the topic although their
     *        deletion never committed are deleted first, and the first row goes alone
     */
    Result publish(boolean recovering) {
        List<Long> deleting = toDelete;
        List<Long> acknowledged = new ArrayList<>();
        try {
            Result result = LocalTransaction.call(dataSource,
                    connection -> publish(connection, recovering, deleting, acknowledged));
            toDelete = acknowledged;
            return result;
        } catch (RuntimeException e) {
            toDelete = concat(deleting, acknowledged); // the pass's delete was rolled back
            throw e;
        }
    }

    /** Deletes what Kafka acknowledged and no pass deleted yet (at shutdown). */
    void deleteAcknowledged() {
        if (toDelete.isEmpty()) {
            return;
        }
        try (Connection connection = dataSource.getConnection()) {
            delete(connection, toDelete);
            toDelete = List.of();
        } catch (SQLException | RuntimeException e) {
            // sent again after a restart, unless the topic's tail shows them (PublishedTail)
            Log.debugf("outbox relay: deleting acknowledged rows at shutdown: %s", e.getMessage());
        }
    }

    private Result publish(Connection connection, boolean recovering, List<Long> deleting,
            List<Long> acknowledged) throws SQLException {
        List<OutboxRow> batch = new ArrayList<>();
        try (PreparedStatement pass = connection.prepareStatement(PASS)) {
            java.sql.Array ids = connection.createArrayOf("bigint", deleting.toArray());
            pass.setLong(1, RELAY_LOCK_KEY);
            pass.setArray(2, ids);
            pass.setArray(3, ids);
            pass.setInt(4, config.outbox().batchSize());
            try (ResultSet rows = pass.executeQuery()) {
                while (rows.next()) {
                    if (!rows.getBoolean(1)) {
                        return new Result(0, false); // another replica is relaying
                    }
                    if (rows.getObject(2) != null) {
                        batch.add(OutboxRow.of(rows, 2));
                    }
                }
            }
        }
        if (recovering && !batch.isEmpty()) {
            batch = withoutPublished(connection, batch);
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
        for (OutboxRow row : batch) {
            sends.add(producer.send(row));
        }
        List<Boolean> outcomes = new ArrayList<>(batch.size());
        long deadline = System.nanoTime() + config.outbox().sendTimeout().toNanos();
        boolean failed = false;
        for (int i = 0; i < batch.size(); i++) {
            OutboxRow row = batch.get(i);
            try {
                sends.get(i).get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                outcomes.add(true);
                status.acknowledged(row.occurredAt());
            } catch (Exception e) {
                if (!failed) {
                    status.sendFailed("kafka: " + OutboxRelay.rootMessage(e));
                    Log.warnf("outbox relay: Kafka did not acknowledge event %s: %s", row.eventId(),
                            status.lastError());
                }
                outcomes.add(false);
                failed = true;
            }
        }
        for (OutboxRow row : acknowledgedPrefix(batch, outcomes)) {
            acknowledged.add(row.id());
        }
        status.published(acknowledged.size());
        if (!failed) {
            status.healthy();
        }
        // a full batch means more may wait: count them; otherwise what was there is published
        // (a count per batch was a quarter of the relay's CPU at 50 messages/s)
        status.backlog(failed || batch.size() == config.outbox().batchSize() ? count(connection) : 0);
        return new Result(acknowledged.size(), failed);
    }

    /**
     * Drops (and deletes) the rows of the batch the topic already holds: a relay killed after
     * Kafka's acknowledgement but before its delete committed would otherwise publish them twice.
     */
    private List<OutboxRow> withoutPublished(Connection connection, List<OutboxRow> batch) throws SQLException {
        Set<String> published = tail.recentEventIds(config.outbox().topic(), config.outbox().batchSize(),
                config.outbox().sendTimeout());
        List<Long> done = new ArrayList<>();
        List<OutboxRow> rest = new ArrayList<>();
        for (OutboxRow row : batch) {
            if (row.topic().equals(config.outbox().topic()) && published.contains(row.eventId().toString())) {
                done.add(row.id());
            } else {
                rest.add(row);
            }
        }
        if (!done.isEmpty()) {
            delete(connection, done);
            Log.infof("outbox relay: %d events were already on the topic; not sent again", done.size());
        }
        return rest;
    }

    private static void delete(Connection connection, List<Long> ids) throws SQLException {
        try (PreparedStatement delete = connection.prepareStatement(DELETE)) {
            delete.setArray(1, connection.createArrayOf("bigint", ids.toArray()));
            delete.executeUpdate();
        }
    }

    private static long count(Connection connection) throws SQLException {
        try (PreparedStatement count = connection.prepareStatement(COUNT); ResultSet row = count.executeQuery()) {
            row.next();
            return row.getLong(1);
        }
    }

    private static List<Long> concat(List<Long> first, List<Long> second) {
        List<Long> both = new ArrayList<>(first.size() + second.size());
        both.addAll(first);
        both.addAll(second);
        return both;
    }
}
