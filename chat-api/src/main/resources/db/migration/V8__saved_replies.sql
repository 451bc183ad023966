-- The staff's saved replies: answers a tenant's admins write once ("/hours" → "We are open 9 to 5,
-- Monday to Friday.") and every operator inserts into a reply from the dashboard. Tenant data,
-- not session data: no seq, no event. Additive: a release before it ignores the table.
create table saved_replies (
    id         uuid         primary key,
    tenant_id  varchar(64)  not null,
    shortcut   varchar(32)  not null,
    content    text         not null,
    updated_by varchar(255) not null,
    updated_at timestamptz  not null,
    unique (tenant_id, shortcut)
);
