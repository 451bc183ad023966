package com.parley.chat.api.domain;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The post of a message in plain JDBC: the hot write path of chat-api, kept out of Hibernate and
 * JTA (entity loading, query interpretation, the dirty check and the transaction manager's begin
 * and commit were most of chat-api's CPU per message). One data-modifying CTE that (unless the
 * post's {@code client_message_id} already names a message of the session) moves the session to
 * the new seq and inserts the message, its history entry and its outbox row: after the session
 * row's lock in a local transaction (three round trips with the commit), or alone in autocommit
 * at a seq the caller expects (one), for one post or for several of different sessions at once.
 */
public final class MessageRows {

    /** The locked session as a post sees it. */
    public record LockedSession(UUID id, String tenantId, String customerUserId, SessionStatus status, long lastSeq) {
    }

    /** The message already stored under a post's {@code client_message_id}, and who sent it. */
    public record Earlier(UUID messageId, String senderUserId) {
    }

    /**
     * What {@link #insert} did: wrote the message, found an earlier one of the same key ({@code
     * earlier}), or neither (the session moved on: closed, or another writer took the seq).
     */
    public record Inserted(boolean written, Earlier earlier) {
    }

    /** Everything one new message writes. */
    public record NewMessage(Message message, String preview, UUID eventId, String eventType, String payload,
            String metadataJson, Instant occurredAt, String topic, String recordKey, String ceType,
            String traceparent) {
    }

    private static final String LOCK = """
            select customer_user_id, status, last_seq from sessions where tenant_id = ? and id = ? for update
            """;

    private static final String EARLIER = """
            select id, sender_user_id from messages where session_id = ? and client_message_id = ?
            """;

    /**
     * Writes the message unless its {@code client_message_id} already names one, and returns that
     * one if so; writes nothing either when the session is no longer open, its last seq is not the
     * one before the message's (another writer came first) or another transaction holds its row
     * (the statement takes the row without waiting, {@code skip locked}): then it returns no row at
     * all. Under the session row lock ({@link #lock}) none of these happens; without it ({@code
     * post}'s one-statement path, in autocommit) the update's condition is what keeps seq gapless,
     * and a row held elsewhere sends the post to the locked path instead of holding up the posts
     * written with it. A statement of its own after the lock: a statement sees what was committed
     * when it began, so a concurrent retry that waited for the lock finds the first post's message
     * here (and not in a query joined to the lock's).
     */
    private static final String INSERT = """
            with earlier as (
                select id, sender_user_id from messages
                where session_id = cast(? as uuid) and client_message_id = cast(? as varchar)
            ), v as (
                select cast(? as bigint) as seq, cast(? as uuid) as message_id, cast(? as varchar) as tenant_id,
                    cast(? as uuid) as session_id, cast(? as timestamptz) as created_at, cast(? as uuid) as event_id,
                    cast(? as text) as payload, cast(? as timestamptz) as occurred_at
                where not exists (select 1 from earlier)
            ), lockable as (
                select s.id from sessions s join v on s.id = v.session_id and s.tenant_id = v.tenant_id
                for no key update of s skip locked
            ), session_row as (
                update sessions s set last_seq = v.seq, last_message_id = v.message_id,
                    last_message_preview = ?, last_message_at = v.created_at, updated_at = v.created_at
                from v, lockable l where s.id = v.session_id and s.id = l.id and s.tenant_id = v.tenant_id
                    and s.last_seq = v.seq - 1 and s.status = 'open'
                returning s.id
            ), message_row as (
                insert into messages (id, tenant_id, session_id, seq, role, content, sender_user_id, sender_name,
                    client_message_id, metadata, created_at)
                select v.message_id, v.tenant_id, v.session_id, v.seq, ?, ?, ?, cast(? as varchar),
                    cast(? as varchar), cast(? as jsonb), v.created_at from v, session_row
            ), history_row as (
                insert into session_events (event_id, tenant_id, session_id, seq, type, payload, occurred_at)
                select v.event_id, v.tenant_id, v.session_id, v.seq, ?, cast(v.payload as jsonb), v.occurred_at
                from v, session_row
            ), outbox_row as (
                insert into outbox (event_id, topic, record_key, ce_type, ce_subject, payload, occurred_at,
                    created_at, traceparent)
                select v.event_id, ?, ?, ?, cast(v.session_id as varchar), v.payload, v.occurred_at, now(),
                    cast(? as varchar) from v, session_row
            )
            select id, sender_user_id from earlier
            union all
            select null, null from session_row
            """;

    /**
     * {@link #INSERT} for several messages of different sessions at once, each at the seq its caller
     * expects, in autocommit: one round trip and one commit for all of them. The messages come as one
     * array per column ({@code unnest} keeps them in step; {@code ord} is each one's place in the
     * call). Per message as {@link #INSERT}: written, an earlier message of the same key returned,
     * or nothing written because its session moved on or its row is held by another transaction
     * (never waited for: one session's lock must not hold up the others' posts). A session twice in
     * one call is written at most once (its second message expects the seq its first writes, which
     * the statement does not see), so callers keep to one message per session.
     */
    private static final String INSERT_ALL = """
            with v as (
                select ord, cast(seq as bigint) as seq, cast(message_id as uuid) as message_id, tenant_id,
                    cast(session_id as uuid) as session_id, cast(created_at as timestamptz) as created_at,
                    cast(event_id as uuid) as event_id, payload, cast(occurred_at as timestamptz) as occurred_at,
                    preview, role, content, sender_user_id, sender_name, client_message_id, metadata, event_type,
                    topic, record_key, ce_type, traceparent
                from unnest(cast(? as text[]), cast(? as text[]), cast(? as text[]), cast(? as text[]),
                    cast(? as text[]), cast(? as text[]), cast(? as text[]), cast(? as text[]), cast(? as text[]),
                    cast(? as text[]), cast(? as text[]), cast(? as text[]), cast(? as text[]), cast(? as text[]),
                    cast(? as text[]), cast(? as text[]), cast(? as text[]), cast(? as text[]), cast(? as text[]),
                    cast(? as text[]))
                    with ordinality as t(seq, message_id, tenant_id, session_id, created_at, event_id, payload,
                        occurred_at, preview, role, content, sender_user_id, sender_name, client_message_id,
                        metadata, event_type, topic, record_key, ce_type, traceparent, ord)
            ), earlier as (
                select v.ord, m.id, m.sender_user_id from v
                join messages m on m.session_id = v.session_id and m.client_message_id = v.client_message_id
            ), fresh as (
                select v.* from v where not exists (select 1 from earlier e where e.ord = v.ord)
            ), lockable as (
                select s.id from sessions s join fresh f on s.id = f.session_id and s.tenant_id = f.tenant_id
                for no key update of s skip locked
            ), session_row as (
                update sessions s set last_seq = f.seq, last_message_id = f.message_id,
                    last_message_preview = f.preview, last_message_at = f.created_at, updated_at = f.created_at
                from fresh f, lockable l where s.id = f.session_id and s.id = l.id and s.tenant_id = f.tenant_id
                    and s.last_seq = f.seq - 1 and s.status = 'open'
                returning s.id
            ), written as (
                select f.* from fresh f join session_row r on r.id = f.session_id
            ), message_row as (
                insert into messages (id, tenant_id, session_id, seq, role, content, sender_user_id, sender_name,
                    client_message_id, metadata, created_at)
                select message_id, tenant_id, session_id, seq, role, content, sender_user_id, sender_name,
                    client_message_id, cast(metadata as jsonb), created_at from written
            ), history_row as (
                insert into session_events (event_id, tenant_id, session_id, seq, type, payload, occurred_at)
                select event_id, tenant_id, session_id, seq, event_type, cast(payload as jsonb), occurred_at
                from written
            ), outbox_row as (
                insert into outbox (event_id, topic, record_key, ce_type, ce_subject, payload, occurred_at,
                    created_at, traceparent)
                select event_id, topic, record_key, ce_type, cast(session_id as varchar), payload, occurred_at,
                    now(), traceparent from written order by ord
            )
            select v.ord, e.id, e.sender_user_id, w.ord is not null from v
            left join earlier e on e.ord = v.ord
            left join written w on w.ord = v.ord
            """;

    private static final int INSERT_ALL_COLUMNS = 20;

    private MessageRows() {
    }

    /** Locks the session row: held until commit, it orders the session's writers and makes seq gapless. */
    public static Optional<LockedSession> lock(Connection connection, String tenantId, UUID sessionId)
            throws SQLException {
        try (PreparedStatement lock = connection.prepareStatement(LOCK)) {
            lock.setString(1, tenantId);
            lock.setObject(2, sessionId);
            try (ResultSet row = lock.executeQuery()) {
                if (!row.next()) {
                    return Optional.empty();
                }
                return Optional.of(new LockedSession(sessionId, tenantId, row.getString(1),
                        SessionStatus.fromWire(row.getString(2)).orElseThrow(), row.getLong(3)));
            }
        }
    }

    /** The message stored under {@code clientMessageId} in the session, if any (asked after the lock). */
    public static Optional<Earlier> earlier(Connection connection, UUID sessionId, String clientMessageId)
            throws SQLException {
        try (PreparedStatement find = connection.prepareStatement(EARLIER)) {
            find.setObject(1, sessionId);
            find.setString(2, clientMessageId);
            try (ResultSet row = find.executeQuery()) {
                return earlier(row);
            }
        }
    }

    /**
     * Writes a new message in one statement, at the seq after the session's last (the session
     * locked by {@link #lock} in this transaction, or, in autocommit, the seq the caller expects);
     * or, when the session already holds a message of the same {@code client_message_id}, writes
     * nothing and returns that message; or writes nothing when the session moved on.
     */
    public static Inserted insert(Connection connection, NewMessage write) throws SQLException {
        Message m = write.message();
        try (PreparedStatement insert = connection.prepareStatement(INSERT)) {
            int i = 0;
            insert.setObject(++i, m.sessionId);
            insert.setString(++i, m.clientMessageId);
            insert.setLong(++i, m.seq);
            insert.setObject(++i, m.id);
            insert.setString(++i, m.tenantId);
            insert.setObject(++i, m.sessionId);
            insert.setObject(++i, utc(m.createdAt));
            insert.setObject(++i, write.eventId());
            insert.setString(++i, write.payload());
            insert.setObject(++i, utc(write.occurredAt()));
            insert.setString(++i, write.preview());
            insert.setString(++i, m.role.wireName());
            insert.setString(++i, m.content);
            insert.setString(++i, m.senderUserId);
            insert.setString(++i, m.senderName);
            insert.setString(++i, m.clientMessageId);
            insert.setString(++i, write.metadataJson());
            insert.setString(++i, write.eventType());
            insert.setString(++i, write.topic());
            insert.setString(++i, write.recordKey());
            insert.setString(++i, write.ceType());
            insert.setString(++i, write.traceparent());
            try (ResultSet row = insert.executeQuery()) {
                if (!row.next()) {
                    return new Inserted(false, null);
                }
                UUID earlier = row.getObject(1, UUID.class);
                return earlier == null ? new Inserted(true, null)
                        : new Inserted(false, new Earlier(earlier, row.getString(2)));
            }
        }
    }

    /**
     * Writes several new messages, each of a different session and at the seq its caller expects,
     * in one statement in autocommit ({@link #INSERT_ALL}); the result in the order of {@code
     * writes}, each as {@link #insert} would have returned it. All or nothing: when the statement
     * fails, none is written.
     */
    public static List<Inserted> insertAll(Connection connection, List<NewMessage> writes) throws SQLException {
        String[][] columns = new String[INSERT_ALL_COLUMNS][writes.size()];
        for (int row = 0; row < writes.size(); row++) {
            NewMessage write = writes.get(row);
            Message m = write.message();
            String[] values = { Long.toString(m.seq), m.id.toString(), m.tenantId, m.sessionId.toString(),
                    utc(m.createdAt).toString(), write.eventId().toString(), write.payload(),
                    utc(write.occurredAt()).toString(), write.preview(), m.role.wireName(), m.content,
                    m.senderUserId, m.senderName, m.clientMessageId, write.metadataJson(), write.eventType(),
                    write.topic(), write.recordKey(), write.ceType(), write.traceparent() };
            for (int column = 0; column < INSERT_ALL_COLUMNS; column++) {
                columns[column][row] = values[column];
            }
        }
        Inserted[] results = new Inserted[writes.size()];
        try (PreparedStatement insert = connection.prepareStatement(INSERT_ALL)) {
            for (int column = 0; column < INSERT_ALL_COLUMNS; column++) {
                insert.setArray(column + 1, connection.createArrayOf("text", columns[column]));
            }
            try (ResultSet row = insert.executeQuery()) {
                while (row.next()) {
                    int index = (int) row.getLong(1) - 1;
                    UUID earlier = row.getObject(2, UUID.class);
                    results[index] = earlier != null ? new Inserted(false, new Earlier(earlier, row.getString(3)))
                            : new Inserted(row.getBoolean(4), null);
                }
            }
        }
        return List.of(results);
    }

    /** The earlier message in the result's first row (id, sender), if there is one. */
    private static Optional<Earlier> earlier(ResultSet row) throws SQLException {
        return row.next() ? Optional.of(new Earlier(row.getObject(1, UUID.class), row.getString(2))) : Optional.empty();
    }

    private static OffsetDateTime utc(Instant instant) {
        return instant.atOffset(ZoneOffset.UTC);
    }
}
