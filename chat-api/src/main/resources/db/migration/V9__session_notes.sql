-- Staff's notes on a session: for the tenant's staff and services only, never for the customer
-- ("asked for a refund of order 42; promised an answer by Friday"). Not session events: no seq
-- (the customer's gapless stream stays theirs); published on chat.tenant-events for staff's pages.
-- An erasure deletes them with the customer's chats. Additive: a release before it ignores the table.
create table session_notes (
    id             uuid         primary key,
    tenant_id      varchar(64)  not null,
    session_id     uuid         not null references sessions (id),
    author_user_id varchar(255) not null,
    author_name    varchar(100),
    author_role    varchar(16)  not null,
    content        text         not null,
    created_at     timestamptz  not null
);
create index session_notes_session_idx on session_notes (session_id, created_at, id);
