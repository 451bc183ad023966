-- The operators a gateway has announced on chat.signals (a dashboard open), as chat-api heard them:
-- one row per staff member, refreshed about hourly while they keep working. A chat-api that starts
-- (a rolling restart, a new replica) waits for each of them as if it had just heard them, so that
-- an operator who left shortly before it started still has their open chats released
-- (docs/decisions.md, "the chats of an operator who left"). Staff who work only through the REST
-- API are never announced and have no row. Additive: a release before it ignores the table.
create table announced_operators (
    tenant_id         varchar(64)  not null,
    user_id           varchar(255) not null,
    last_announced_at timestamptz  not null,
    primary key (tenant_id, user_id)
);
