package com.parley.chat.api.messaging;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.UUID;

/** An outbox row as the relay reads it: the Kafka record it becomes, and its id for the delete. */
record OutboxRow(long id, UUID eventId, String topic, String recordKey, String ceType, String ceSubject,
        String payload, Instant occurredAt, String traceparent) {

    /** The columns {@link #of} reads, in its order. */
    static final String COLUMNS = "id, event_id, topic, record_key, ce_type, ce_subject, payload, occurred_at, traceparent";

    /** The row at the result's cursor, its columns starting at {@code first} in {@link #COLUMNS} order. */
    static OutboxRow of(ResultSet row, int first) throws SQLException {
        int i = first;
        return new OutboxRow(row.getLong(i++), row.getObject(i++, UUID.class), row.getString(i++),
                row.getString(i++), row.getString(i++), row.getString(i++), row.getString(i++),
                row.getObject(i++, OffsetDateTime.class).toInstant(), row.getString(i));
    }
}
