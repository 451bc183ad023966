package com.parley.chat.api.domain;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import io.quarkus.panache.common.Page;
import io.quarkus.panache.common.Sort;

/** A Kafka record waiting for the relay; written in the transaction of the change it describes. */
@Entity
@Table(name = "outbox")
public class OutboxEntry extends PanacheEntityBase {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(name = "event_id", nullable = false)
    public UUID eventId;

    @Column(nullable = false)
    public String topic;

    @Column(name = "record_key", nullable = false)
    public String recordKey;

    @Column(name = "ce_type", nullable = false)
    public String ceType;

    @Column(name = "ce_subject", nullable = false)
    public String ceSubject;

    @Column(nullable = false)
    public String payload;

    @Column(name = "occurred_at", nullable = false)
    public Instant occurredAt;

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;

    /** W3C {@code traceparent} of the request that wrote the row; null when tracing is off. */
    @Column
    public String traceparent;

    /** The oldest rows first: insertion order is commit order per session, thanks to the session lock. */
    public static List<OutboxEntry> oldest(int limit) {
        return findAll(Sort.ascending("id")).page(Page.ofSize(limit)).list();
    }

    /** One statement whatever the number of ids (an IN list would make a query plan per size). */
    public static long deleteIds(List<Long> ids) {
        if (ids.isEmpty()) {
            return 0;
        }
        return getEntityManager().createNativeQuery("delete from outbox where id = any(cast(?1 as bigint[]))")
                .setParameter(1, ids.toArray(Long[]::new)).executeUpdate();
    }
}
