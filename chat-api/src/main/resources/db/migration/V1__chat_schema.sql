-- Owned by chat-api; Flyway is the only writer of this schema.

create table sessions (
    id                      uuid         primary key,
    tenant_id               varchar(64)  not null,
    customer_user_id        varchar(255) not null,
    status                  varchar(16)  not null default 'open'
                                         check (status in ('open', 'closed', 'resolved')),
    metadata                jsonb,
    last_seq                bigint       not null default 0,
    last_message_id         uuid,
    last_message_preview    varchar(200),
    last_message_at         timestamptz,
    created_at              timestamptz  not null,
    updated_at              timestamptz  not null,
    -- Legacy escalation columns: kept so that a rollback to the old release stays possible.
    -- No API response exposes them and nothing in this service writes them.
    assigned_user_id        varchar(255),
    escalation_status       varchar(32)  not null default 'none',
    escalation_reason       text,
    escalation_requested_at timestamptz,
    escalation_assigned_at  timestamptz
);

-- staff list: by tenant, optionally by status, newest activity first
create index sessions_tenant_updated_idx on sessions (tenant_id, updated_at desc, id);
create index sessions_tenant_status_updated_idx on sessions (tenant_id, status, updated_at desc, id);
-- a customer's own sessions
create index sessions_tenant_customer_idx on sessions (tenant_id, customer_user_id, updated_at desc, id);

create table messages (
    id                uuid         primary key,
    tenant_id         varchar(64)  not null,
    session_id        uuid         not null references sessions (id),
    seq               bigint       not null,
    role              varchar(16)  not null check (role in ('user', 'assistant', 'supporter', 'admin')),
    content           text         not null,
    sender_user_id    varchar(255) not null,
    client_message_id varchar(128),
    metadata          jsonb,
    created_at        timestamptz  not null,
    deleted_at        timestamptz,
    deleted_by        varchar(255)
);

-- idempotent create: one row per (session, client_message_id); rows without one are not deduplicated
create unique index messages_session_client_id_uq on messages (session_id, client_message_id)
    where client_message_id is not null;
-- message list of a session, in order
create unique index messages_tenant_session_seq_uq on messages (tenant_id, session_id, seq);

-- Every event of a session, in seq order: the history a reconnecting client catches up from.
create table session_events (
    event_id    uuid        primary key,
    tenant_id   varchar(64) not null,
    session_id  uuid        not null references sessions (id),
    seq         bigint      not null,
    type        varchar(64) not null,
    payload     jsonb       not null,
    occurred_at timestamptz not null
);

create unique index session_events_tenant_session_seq_uq on session_events (tenant_id, session_id, seq);

-- Transactional outbox: written in the same transaction as the change, deleted once Kafka has it.
create table outbox (
    id          bigint generated always as identity primary key,
    event_id    uuid         not null,
    topic       varchar(255) not null,
    record_key  varchar(255) not null,
    ce_type     varchar(128) not null,
    ce_subject  varchar(255) not null,
    payload     text         not null,
    occurred_at timestamptz  not null,
    created_at  timestamptz  not null default now()
);
