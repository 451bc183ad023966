-- The customer's name as their token gave it when they started the chat (the OIDC name claim), so
-- that staff see "Alice Doe" and not an identity provider's opaque user id. Null when the token had
-- none, or the chat was started on a customer's behalf; dropped by an erasure. Additive: a release
-- before it ignores the column.
alter table sessions add column customer_name varchar(100);
