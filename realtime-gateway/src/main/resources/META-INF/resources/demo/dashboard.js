import { DashboardClient, SessionClient } from '../client/v1/parley-client.js';
import { api, claims, config, renderMessages, showState, typingText } from './common.js';

const cfg = config();
const me = claims(cfg.token).sub;
const $ = (id) => document.getElementById(id);
const sessions = new Map(); // id -> {id, status, preview, at}
let selected = null;
let chat = null;

function render() {
  const list = [...sessions.values()].sort((a, b) => (b.at || '').localeCompare(a.at || ''));
  $('sessions').replaceChildren(...list.map((s) => {
    const li = document.createElement('li');
    const button = document.createElement('button');
    button.type = 'button';
    button.dataset.session = s.id;
    button.setAttribute('aria-current', String(s.id === selected));
    const title = document.createElement('strong');
    title.textContent = `Customer ${s.customer || ''} `;
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

function select(id) {
  selected = id;
  render();
  chat?.close();
  $('error').textContent = '';
  $('session-title').textContent = `Session with customer ${sessions.get(id)?.customer || ''}`;
  chat = new SessionClient({ ...cfg, sessionId: id });
  window.parleyChat = chat;
  $('chat-state').hidden = false;
  chat.addEventListener('state', (e) => showState($('chat-state'), e.detail));
  chat.addEventListener('messages', () => renderMessages($('messages'), chat.messages, me));
  chat.addEventListener('typing', (e) => { $('typing').textContent = typingText(e.detail.users, me); });
  chat.addEventListener('status', (e) => showSessionStatus(e.detail.status));
  chat.addEventListener('error', (e) => { $('error').textContent = e.detail.message || ''; });
  $('messages').replaceChildren();
  showSessionStatus(sessions.get(id)?.status || 'open');
  chat.connect();
}

function showSessionStatus(status) {
  const open = status === 'open';
  for (const el of [$('text'), $('composer').querySelector('button'), $('close'), $('resolve')]) {
    el.disabled = !open || !selected;
  }
}

async function setStatus(status) {
  try {
    await api(cfg, 'PATCH', `/sessions/${encodeURIComponent(selected)}`, { status });
  } catch (e) {
    $('error').textContent = `Could not change the status: ${e.message}`;
  }
}

$('close').addEventListener('click', () => setStatus('closed'));
$('resolve').addEventListener('click', () => setStatus('resolved'));
$('text').addEventListener('input', () => chat?.typing());
$('composer').addEventListener('submit', (event) => {
  event.preventDefault();
  if (chat && $('text').value.trim()) {
    chat.send($('text').value);
    $('text').value = '';
  }
});

if (!cfg.token) {
  $('error').textContent = 'No token: open this page with ?tenant=…&token=… (deploy/local/start.sh prints a link).';
} else {
  const dashboard = new DashboardClient(cfg);
  dashboard.addEventListener('state', (e) => showState($('state'), e.detail));
  dashboard.addEventListener('reload', reload);
  dashboard.addEventListener('event', (e) => onEvent(e.detail));
  dashboard.connect();
}
