-- How the customer rated a chat after it ended (good or bad) and when: for the support team and
-- for analytics (SessionRated on chat.message-events). Null until they rate it. Additive: a release
-- before it ignores the columns.
alter table sessions add column rating varchar(4), add column rated_at timestamptz;
