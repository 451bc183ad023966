import { ParleyConnection, SessionChat } from '../client/v1/parley-client.js';
import { api, claims, config, renderMessages, showState, typingText } from './common.js';

// One connection for the whole page: the tenant's dashboard channel and every chat opened here.
const cfg = config();
const me = claims(cfg.token).sub;
const $ = (id) => document.getElementById(id);
const sessions = new Map(); // id -> {id, status, customer, preview, at}
const chats = new Map(); // id -> SessionChat, followed until "Stop following"
let selected = null;

function render() {
  const list = [...sessions.values()].sort((a, b) => (b.at || '').localeCompare(a.at || ''));
  $('sessions').replaceChildren(...list.map((s) => {
    const li = document.createElement('li');
    const button = document.createElement('button');
    button.type = 'button';
    button.dataset.session = s.id;
    button.dataset.following = String(chats.has(s.id));
    button.setAttribute('aria-current', String(s.id === selected));
    const title = document.createElement('strong');
    title.textContent = `${chats.has(s.id) ? '● ' : ''}Customer ${s.customer || ''} `;
    const badge = document.createElement('span');
    badge.className = 'badge';
    badge.dataset.status = s.status;
    badge.textContent = s.status;
    const preview = document.createElement('span');
    preview.className = 'preview';
    preview.textContent = s.preview || 'No messages yet';
    button.append(title, badge, preview);
    button.addEventListener('click', () => select(s.id));
    li.append(button);
    return li;
  }));
}

async function reload() {
  try {
    const page = await api(cfg, 'GET', '/sessions?size=100');
    for (const s of page.items) {
      sessions.set(s.id, { id: s.id, status: s.status, customer: s.customer_user_id, preview: s.last_message_preview,
        at: s.last_message_at || s.created_at });
    }
    render();
  } catch (e) {
    $('error').textContent = `Could not load sessions: ${e.message}`;
  }
}

function onEvent(frame) {
  const s = sessions.get(frame.session_id) || { id: frame.session_id, status: 'open', at: frame.occurred_at };
  if (frame.type === 'session_created') {
    s.customer = frame.customer_user_id;
    s.status = frame.status || 'open';
  } else if (frame.type === 'message_created') {
    s.preview = frame.content;
    s.at = frame.occurred_at;
  } else if (frame.type === 'session_status') {
    s.status = frame.status;
  }
  s.at = s.at || frame.occurred_at;
  sessions.set(s.id, s);
  render();
  if (s.id === selected) {
    showSessionStatus(s.status);
  }
}

/** The chat of a session on the page's connection, created on first use and kept. */
function follow(id) {
  let chat = chats.get(id);
  if (chat) {
    return chat;
  }
  chat = new SessionChat(connection, { sessionId: id });
  chats.set(id, chat);
  const mine = (handler) => (e) => { if (selected === id) handler(e); };
  chat.addEventListener('subscribed', mine(() => showChatState()));
  chat.addEventListener('messages', mine(() => renderMessages($('messages'), chat.messages, me)));
  chat.addEventListener('typing', mine((e) => { $('typing').textContent = typingText(e.detail.users, me); }));
  chat.addEventListener('status', mine((e) => showSessionStatus(e.detail.status)));
  chat.addEventListener('error', mine((e) => { $('error').textContent = e.detail.message || ''; }));
  return chat;
}

function select(id) {
  selected = id;
  const chat = follow(id);
  window.parleyChat = chat;
  render();
  $('error').textContent = '';
  $('typing').textContent = '';
  $('session-title').textContent = `Session with customer ${sessions.get(id)?.customer || ''}`;
  $('chat-state').hidden = false;
  showChatState();
  renderMessages($('messages'), chat.messages, me);
  showSessionStatus(chat.store.status || sessions.get(id)?.status || 'open');
}

/** The selected chat's state: the connection's, and 'open' once its channel is subscribed. */
function showChatState() {
  const chat = chats.get(selected);
  if (!chat) {
    return;
  }
  const subscribed = connection.state === 'open' && chat.channel.state === 'subscribed';
  showState($('chat-state'), subscribed ? { state: 'open' } : { state: connection.state });
}

function showSessionStatus(status) {
  const open = status === 'open';
  for (const el of [$('text'), $('composer').querySelector('button'), $('close'), $('resolve')]) {
    el.disabled = !open || !selected;
  }
  $('leave').disabled = !selected;
}

async function setStatus(status) {
  try {
    await api(cfg, 'PATCH', `/sessions/${encodeURIComponent(selected)}`, { status });
  } catch (e) {
    $('error').textContent = `Could not change the status: ${e.message}`;
  }
}

const connection = new ParleyConnection(cfg);
window.parleyConnection = connection;

$('close').addEventListener('click', () => setStatus('closed'));
$('resolve').addEventListener('click', () => setStatus('resolved'));
$('leave').addEventListener('click', () => {
  chats.get(selected)?.close();
  chats.delete(selected);
  selected = null;
  $('messages').replaceChildren();
  $('chat-state').hidden = true;
  $('session-title').textContent = 'Select a session';
  showSessionStatus('closed');
  render();
});
$('text').addEventListener('input', () => chats.get(selected)?.typing());
$('composer').addEventListener('submit', (event) => {
  event.preventDefault();
  const chat = chats.get(selected);
  if (chat && $('text').value.trim()) {
    chat.send($('text').value);
    $('text').value = '';
  }
});

if (!cfg.token) {
  $('error').textContent = 'No token: open this page with ?tenant=…&token=… (deploy/local/start.sh prints a link).';
} else {
  const dashboard = connection.subscribe('dashboard');
  // the dashboard channel does not replay: the list comes from REST on every (re)subscription
  dashboard.addEventListener('subscribed', reload);
  dashboard.addEventListener('event', (e) => onEvent(e.detail));
  connection.addEventListener('state', (e) => {
    showState($('state'), e.detail);
    showChatState();
  });
  connection.connect();
}
