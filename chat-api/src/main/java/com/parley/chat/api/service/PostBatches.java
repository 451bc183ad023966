package com.parley.chat.api.service;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import javax.sql.DataSource;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;

import io.quarkus.runtime.Startup;

import org.jboss.logging.Logger;

import com.parley.chat.api.config.ChatApiConfig;
import com.parley.chat.api.domain.DatabaseFailure;
import com.parley.chat.api.domain.MessageRows;

/**
 * Posts at a known seq, written together: the posts that arrive while a statement is in flight
 * wait for it and then go to the database as one statement and one commit ({@link
 * MessageRows#insertAll}), as PostgreSQL's own group commit shares one WAL flush. No thread of its
 * own: a posting thread that finds a writer's place free writes whatever waits, its own post
 * among it, and the others park until theirs is written. Alone, a post is written at once; under
 * load the statements grow instead of queueing behind each other. At most {@code posts.writers}
 * statements run at a time, each of at most {@code posts.max-batch} posts; callers keep to one
 * post per session (the session's turn, {@link SessionWrites}).
 */
@Startup
@ApplicationScoped
public class PostBatches {

    private static final Logger LOG = Logger.getLogger(PostBatches.class);

    /**
     * How long a waiting post sleeps at most before it looks again for a free writer's place. It is
     * woken when its post is written or a writer leaves; this only bounds what a lost wake-up costs
     * (waking every waiting post every millisecond cost chat-api more CPU than the statements saved).
     */
    private static final long PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    /** A post waiting for its statement; its outcome is set once, by the thread that wrote it. */
    private static final class Pending {
        final MessageRows.NewMessage message;
        final Thread poster;
        volatile boolean done;
        MessageRows.Inserted inserted; // null when done: the statement failed, the post goes its own way
        RuntimeException failure;

        Pending(MessageRows.NewMessage message, Thread poster) {
            this.message = message;
            this.poster = poster;
        }

        void finish(MessageRows.Inserted result, RuntimeException error) {
            inserted = result;
            failure = error;
            done = true;
            LockSupport.unpark(poster);
        }
    }

    private final ConcurrentLinkedQueue<Pending> waiting = new ConcurrentLinkedQueue<>();
    private final DataSource dataSource;
    private final Semaphore writers;
    private final int maxBatch;
    private final DistributionSummary batchSizes;

    /** Refuses settings under which no post could be written: chat-api does not start with them. */
    @Inject
    public PostBatches(DataSource dataSource, ChatApiConfig config, MeterRegistry registry) {
        this.dataSource = dataSource;
        this.writers = new Semaphore(atLeastOne("parley.chat-api.posts.writers", config.posts().writers()));
        this.maxBatch = atLeastOne("parley.chat-api.posts.max-batch", config.posts().maxBatch());
        this.batchSizes = DistributionSummary.builder("parley.posts.batch.size")
                .description("Posts written by one statement").register(registry);
    }

    private static int atLeastOne(String property, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(property + " must be at least 1, not " + value);
        }
        return value;
    }

    /**
     * Writes the message with the others waiting, at the seq it carries; what {@link
     * MessageRows#insert} would have returned, or null when the shared statement failed (nothing of
     * it is written: the caller posts alone, under the session's row lock). Throws {@link
     * DatabaseFailure} when no connection could be had or it broke (whether the statement committed
     * is then not known).
     */
    public MessageRows.Inserted write(MessageRows.NewMessage message) {
        Pending mine = new Pending(message, Thread.currentThread());
        waiting.add(mine);
        // an interrupt cannot take the post back once a writer may hold it: wait on, and pass it on after
        boolean interrupted = false;
        while (!mine.done) {
            if (writers.tryAcquire()) {
                try {
                    writeUntilDone(mine);
                } finally {
                    writers.release();
                }
                Pending next = waiting.peek();
                if (next != null) {
                    LockSupport.unpark(next.poster); // its writer may have left before it arrived
                }
            }
            if (!mine.done) { // every writer's place taken, or mine is in another writer's statement
                LockSupport.parkNanos(this, PARK_NANOS);
                interrupted |= Thread.interrupted();
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (mine.failure != null) {
            throw mine.failure;
        }
        return mine.inserted;
    }

    /** Writes what waits, batch after batch, until {@code mine} is written (here, or by another writer). */
    private void writeUntilDone(Pending mine) {
        while (!mine.done) {
            List<Pending> batch = new ArrayList<>(Math.min(maxBatch, 16));
            for (Pending next; batch.size() < maxBatch && (next = waiting.poll()) != null;) {
                batch.add(next);
            }
            if (batch.isEmpty()) {
                return; // mine is in another writer's statement
            }
            writeBatch(batch);
        }
    }

    /** One statement in autocommit; a failure to give the connection back does not undo it. */
    private List<MessageRows.Inserted> insertAll(List<MessageRows.NewMessage> messages) throws SQLException {
        Connection connection = dataSource.getConnection();
        try {
            connection.setAutoCommit(true);
            // one alone takes the one-row statement: PostgreSQL runs it for less than the arrays' one
            return messages.size() == 1 ? List.of(MessageRows.insert(connection, messages.get(0)))
                    : MessageRows.insertAll(connection, messages);
        } finally {
            try {
                connection.close();
            } catch (SQLException e) {
                LOG.debug("A connection was not given back cleanly", e);
            }
        }
    }

    /**
     * The server answered the statement with an error about its data or its concurrency (a
     * constraint, a serialization failure; session rows are taken without waiting, so not a
     * deadlock over them): in autocommit it was rolled back.
     * A broken connection (class 08) or a terminated backend (57) leaves the outcome unknown.
     */
    private static boolean refusedByTheServer(SQLException e) {
        String state = e.getSQLState();
        return state != null && state.length() == 5 && switch (state.substring(0, 2)) {
            case "22", "23", "40", "55" -> true;
            default -> false;
        };
    }

    private void writeBatch(List<Pending> batch) {
        batchSizes.record(batch.size());
        List<MessageRows.NewMessage> messages = new ArrayList<>(batch.size());
        for (Pending pending : batch) {
            messages.add(pending.message);
        }
        List<MessageRows.Inserted> results;
        try {
            results = insertAll(messages);
        } catch (SQLException e) {
            if (refusedByTheServer(e)) {
                // rolled back, nothing of it written: each post goes its own way under its session's row lock
                LOG.debugf(e, "A statement of %d posts was refused; each is written alone", batch.size());
                batch.forEach(pending -> pending.finish(null, null));
            } else { // no connection, or it broke: whether the statement committed is not known
                DatabaseFailure failure = new DatabaseFailure(e);
                batch.forEach(pending -> pending.finish(null, failure));
            }
            return;
        } catch (RuntimeException e) {
            batch.forEach(pending -> pending.finish(null, e));
            return;
        }
        for (int i = 0; i < batch.size(); i++) {
            batch.get(i).finish(results.get(i), null);
        }
    }
}
