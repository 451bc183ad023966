-- The staff workflow (SPEC 6a): who holds a session, and how far each participant has read.
-- New columns on purpose: the legacy escalation columns (assigned_user_id, escalation_*) stay
-- untouched and unexposed.
alter table sessions add column claimed_by varchar(255);
alter table sessions add column claimed_at timestamptz;

-- the queue: open, unclaimed sessions of a tenant, oldest first; and "mine"
create index sessions_tenant_unclaimed_idx on sessions (tenant_id, created_at, id)
    where status = 'open' and claimed_by is null;
create index sessions_tenant_claimed_by_idx on sessions (tenant_id, claimed_by, updated_at desc, id)
    where claimed_by is not null;

-- each participant's read-up-to seq of a session; it only moves forward
create table read_state (
    session_id    uuid         not null references sessions (id),
    user_id       varchar(255) not null,
    tenant_id     varchar(64)  not null,
    last_read_seq bigint       not null check (last_read_seq >= 0),
    updated_at    timestamptz  not null,
    primary key (session_id, user_id)
);
