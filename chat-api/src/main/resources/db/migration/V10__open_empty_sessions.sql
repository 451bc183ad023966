-- The open chats nobody has written in yet, oldest first: what chat-api closes after
-- parley.chat-api.empty-chats.close-after (a visitor who opened the widget and left). A session
-- leaves this index with its first message and never comes back, so messages do not maintain it.
create index sessions_open_empty_idx on sessions (created_at) where status = 'open' and last_message_id is null;
