-- The sender's name as their token gave it when they wrote (the OIDC name claim), so that the
-- customer reads "Sam Smith" over a reply and not "Support". Null when the token had none, and once
-- the message is deleted (an erasure so removes the customer's name). Additive: a release before it
-- ignores the column.
alter table messages add column sender_name varchar(100);
