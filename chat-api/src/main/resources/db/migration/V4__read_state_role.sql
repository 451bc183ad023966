-- Who read: the role a participant read as, so that a page opening later shows what the customer
-- (or support) has seen. Null on rows stored before this column; the customer's own row then counts
-- as role user. Additive: a release before it ignores the column.
alter table read_state add column role varchar(16);
