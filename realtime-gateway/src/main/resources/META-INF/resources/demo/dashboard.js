import { IdleAway, ParleyConnection, SessionChat, patchList } from '../client/v1/parley-client.js';
import {
  api, claims, config, enterSends, renderMessages, roleName, showChatError, showNotice, showState, typingText,
} from './common.js';
import { SavedReplies, replyItem } from './replies.js';

// One connection for the whole page: the tenant's dashboard channel and every chat opened here.
const cfg = config();
const me = claims(cfg.token).sub;
const admin = (claims(cfg.token).groups || []).includes('admin');
const $ = (id) => document.getElementById(id);
// id -> {id, status, customer, customerName, preview, lastMessageId, at, claimedBy, createdAt, unread, unreadIds}
const sessions = new Map();
const chats = new Map(); // id -> SessionChat, followed until "Stop following"
let selected = null;
// what the operator began to write in a chat they left for another: its reply and its note, back when
// they return (one composer for every chat: a reply begun for one customer must never go to the next);
// kept in the tab's sessionStorage over a reload (the operator's own, gone with the tab)
const draftsKey = `parley.dashboard.drafts.${cfg.tenantId}.${me}`;
const drafts = new Map(stored(draftsKey)); // id -> { text, note }
let view = 'all'; // all | queue (open, unclaimed, oldest first) | mine
let found = null; // the ids a search found, in chat-api's order (newest activity first); null: no search
const operators = new Map(); // user id -> {status, open_sessions}, from the operators channel
const pageTitle = document.title;
const replies = new SavedReplies(cfg); // the tenant's saved replies: "/" in a composer
const myName = claims(cfg.token).name || '';
const notes = new Map(); // session id -> its notes for the team, oldest first (REST and note_added frames)

/** The tenant's staff with status and how many open chats each holds. */
function renderOperators() {
  const list = [...operators.values()].sort((a, b) => a.user_id.localeCompare(b.user_id));
  $('operators').replaceChildren(...list.map((op) => {
    const li = document.createElement('li');
    li.dataset.user = op.user_id;
    li.dataset.status = op.status;
    // by the name of their token, with the user id a transfer takes: "Sam Smith (sam, you)", "olivia"
    const you = op.user_id === me ? 'you' : '';
    const who = op.name ? `${op.name} (${[op.user_id, you].filter(Boolean).join(', ')})`
      : `${op.user_id}${you ? ' (you)' : ''}`;
    li.textContent = `${who} · ${op.status} · ${op.open_sessions} open`;
    return li;
  }));
  // the transfer field offers the others, with how they are (any user id of the tenant still goes)
  $('operator-ids').replaceChildren(...list.filter((op) => op.user_id !== me).map((op) => {
    const option = document.createElement('option');
    option.value = op.user_id;
    option.textContent = `${op.name ? `${op.name} · ` : ''}${op.status} · ${op.open_sessions} open`;
    return option;
  }));
}

function shown() {
  if (found) {
    return found.map((id) => sessions.get(id)).filter(Boolean);
  }
  const all = [...sessions.values()];
  if (view === 'queue') {
    return all.filter((s) => s.status === 'open' && !s.claimedBy)
      .sort((a, b) => (a.createdAt || '').localeCompare(b.createdAt || ''));
  }
  const list = view === 'mine' ? all.filter((s) => s.claimedBy === me) : all;
  return list.sort((a, b) => (b.at || '').localeCompare(a.at || ''));
}

/** The admins' live figures as a definition list (text only). */
function renderFigures(stats) {
  const ops = stats.operators || {};
  const rows = [
    ['Connections', stats.connections],
    ['Open chats', stats.open_sessions ?? '–'],
    ['Waiting for an operator', stats.unclaimed_sessions ?? '–'],
    ['Longest wait', stats.oldest_unclaimed_wait_seconds === undefined ? '–'
      : duration(stats.oldest_unclaimed_wait_seconds)],
    ['Operators', `${ops.available || 0} available, ${ops.busy || 0} busy, ${ops.away || 0} away`],
    ['Messages in the last minute', stats.messages_last_minute],
    ['Ratings in the last 24 hours', stats.ratings_last_day
      ? `${stats.ratings_last_day.good} good, ${stats.ratings_last_day.bad} bad` : '–'],
  ];
  $('figures-list').replaceChildren(...rows.flatMap(([name, value]) => {
    const dt = document.createElement('dt');
    dt.textContent = name;
    const dd = document.createElement('dd');
    dd.textContent = String(value);
    dd.dataset.figure = name;
    return [dt, dd];
  }));
  $('figures').hidden = false;
}

/** The customer as staff read them: the name they started the chat with (chat-api's customer_name), else their user id. */
function customerOf(s) {
  return s?.customerName || s?.customer || '';
}

/** How long since a moment, for people: "42 s", "3 min", "2 h". */
function waited(since) {
  return duration((Date.now() - Date.parse(since)) / 1000);
}

/** Seconds for people, as the queue shows a wait: "42 s", "3 min", "2 h". */
function duration(seconds) {
  const whole = Math.max(0, Math.round(Number(seconds) || 0));
  return whole < 60 ? `${whole} s` : whole < 3600 ? `${Math.floor(whole / 60)} min` : `${Math.floor(whole / 3600)} h`;
}

function render() {
  // the unread count of every chat in the tab's title too: an operator on another tab sees a customer write
  const unread = [...sessions.values()].reduce((sum, s) => sum + (s.unread || 0), 0);
  document.title = unread ? `(${unread}) ${pageTitle}` : pageTitle;
  const list = shown();
  $('more').hidden = Boolean(found) || !nextPage[view]; // a search lists what it found, not pages
  // patched in place, one row per chat (patchList): a row redrawn under the pointer or the keyboard
  // would lose the operator's click and focus while the tenant's events stream in
  patchList($('sessions'), list.map((s) => {
    const row = {
      following: chats.has(s.id), current: s.id === selected, customer: customerOf(s), status: s.status,
      holder: s.claimedBy ? (s.claimedBy === me ? 'you' : s.claimedBy) : null, rating: s.rating || '',
      wait: s.status === 'open' && !s.claimedBy && s.createdAt ? waited(s.createdAt) : '',
      draft: drafts.has(s.id), unread: s.unread || 0,
      preview: s.preview || (s.lastMessageId ? 'Message deleted' : 'No messages yet'),
    };
    return { key: s.id, look: JSON.stringify(row), draw: (li) => drawSessionRow(li, s.id, row) };
  }));
}

/**
 * One chat of the list: its button and the parts in it are made once and kept (the focus, a click
 * under way), only their words change.
 */
function drawSessionRow(li, id, row) {
  if (!li.firstElementChild) {
    const button = document.createElement('button');
    button.type = 'button';
    button.dataset.session = id;
    button.addEventListener('click', () => select(id));
    const part = (tag, className) => {
      const element = document.createElement(tag);
      element.className = className;
      return element;
    };
    const preview = part('span', 'preview');
    preview.dir = 'auto';
    button.append(part('strong', 'title'), part('span', 'badge'), part('span', 'holder'), part('span', 'rating'),
      part('span', 'wait'), part('span', 'draft'), part('span', 'unread'), preview);
    li.append(button);
  }
  const button = li.firstElementChild;
  const set = (className, text) => {
    const element = button.querySelector(`.${className}`);
    element.textContent = text;
    return element;
  };
  button.dataset.following = String(row.following);
  button.setAttribute('aria-current', String(row.current));
  set('title', `${row.following ? '● ' : ''}Customer ${row.customer} `);
  set('badge', row.status).dataset.status = row.status;
  set('holder', row.holder ? ` · ${row.holder}` : ' · unclaimed');
  const rated = row.rating ? ` · rated ${row.rating === 'good' ? '👍 good' : '👎 bad'}` : '';
  set('rating', rated).dataset.rating = row.rating;
  set('wait', row.wait ? ` · waiting ${row.wait}` : '');
  set('draft', row.draft ? ' · draft' : ''); // a reply begun and left for another chat
  const unread = set('unread', String(row.unread));
  unread.hidden = !row.unread;
  unread.setAttribute('aria-label', `${row.unread} unread`);
  set('preview', row.preview);
}

/**
 * Desktop notifications (the browser's Notification API), once the operator allowed them: a new
 * chat, a chat back in the queue (released by another, or its operator left), and a customer's
 * message in a chat nobody holds or the operator holds, while this page is
 * not in front of them (another tab, another window). One per chat at a time (its tag); a click
 * brings the page and the chat.
 */
function showNotifyState() {
  if (!('Notification' in window)) {
    $('notify-line').hidden = true; // an old browser, or a page that is not a secure context
    return;
  }
  const permission = Notification.permission;
  $('notify').hidden = permission !== 'default';
  $('notify-note').textContent = permission === 'granted'
    ? 'Desktop notifications on: new chats, chats back in the queue and customers’ messages while this page is in the background.'
    : permission === 'denied' ? 'Desktop notifications are blocked for this page in the browser’s settings.' : '';
}

function notify(s, title, body) {
  if (!('Notification' in window) || Notification.permission !== 'granted'
    || (document.visibilityState === 'visible' && document.hasFocus())) {
    return;
  }
  const text = String(body || '');
  const note = new Notification(title, { body: text.length > 140 ? `${text.slice(0, 140)}…` : text, tag: s.id });
  note.addEventListener('click', () => {
    window.focus();
    select(s.id);
    note.close();
  });
}

/** A session as chat-api lists it, in the page's map. */
function remember(s) {
  sessions.set(s.id, { id: s.id, status: s.status, customer: s.customer_user_id, customerName: s.customer_name,
    preview: s.last_message_preview,
    lastMessageId: s.last_message_id || null,
    at: s.last_message_at || s.created_at, createdAt: s.created_at, claimedBy: s.claimed_by || null,
    rating: s.rating || null, unread: s.unread_count || 0, metadata: s.metadata || null });
}

/** The chats whose messages or customer's name contain the text (chat-api's q), instead of the view. */
async function search(text) {
  try {
    const page = await api(cfg, 'GET', `/sessions?q=${encodeURIComponent(text)}&size=100`);
    page.items.forEach(remember);
    found = page.items.map((s) => s.id);
    const count = `${found.length}${page.has_more ? '+' : ''}`;
    $('search-note').textContent = `${count} ${found.length === 1 ? 'chat' : 'chats'} with “${text}”`;
    $('search-note').hidden = false;
    $('search-clear').hidden = false;
    render();
  } catch (e) {
    $('error').textContent = `Could not search: ${e.message}`;
  }
}

function clearSearch() {
  found = null;
  $('search-text').value = '';
  $('search-note').hidden = true;
  $('search-clear').hidden = true;
  render();
}

/** Each view's list in chat-api, and where its next page starts (null: none left). */
const LISTS = { all: '/sessions?size=100', queue: '/sessions?status=open&claim=unclaimed&size=100',
  mine: '/sessions?status=open&claim=mine&size=100' };
const nextPage = { all: null, queue: null, mine: null };

async function reload() {
  try {
    // the 100 chats with the newest activity, and besides them the queue and the caller's own chats,
    // each from chat-api's filter: on a busy tenant the customer who waited longest is the oldest
    // chat of all, never among the newest 100
    const views = Object.keys(LISTS);
    const pages = await Promise.all(views.map((v) => api(cfg, 'GET', LISTS[v])));
    pages.flatMap((page) => page.items).forEach(remember);
    views.forEach((v, i) => { nextPage[v] = pages[i].has_more ? pages[i].next_cursor : null; });
    render();
    if (selected) {
      loadNotes(selected); // a note written while this page was away
    }
  } catch (e) {
    $('error').textContent = `Could not load sessions: ${e.message}`;
  }
}

/** The view's next page of chats from chat-api (its cursor: each chat once, however the list moved). */
async function loadMore() {
  const v = view;
  const cursor = nextPage[v];
  if (!cursor) {
    return;
  }
  $('more').disabled = true;
  try {
    const page = await api(cfg, 'GET', `${LISTS[v]}&cursor=${encodeURIComponent(cursor)}`);
    page.items.forEach(remember);
    nextPage[v] = page.has_more ? page.next_cursor : null;
    render();
  } catch (e) {
    $('error').textContent = `Could not load more chats: ${e.message}`;
  } finally {
    $('more').disabled = false;
  }
}

/**
 * The chat's unread count as chat-api has it now. Asked again (twice at most) when a message came in
 * while the answer was on its way, since the answer may or may not count it.
 */
async function recount(id, tries = 3) {
  const asked = sessions.get(id)?.lastMessageId;
  let fresh;
  try {
    fresh = await api(cfg, 'GET', `/sessions/${encodeURIComponent(id)}`);
  } catch (e) {
    return; // the badge stays as it was until the next reload
  }
  const s = sessions.get(id);
  if (!s || id === selected) {
    return; // the chat is open: it is read
  }
  if (s.lastMessageId !== asked) {
    if (tries > 1) {
      recount(id, tries - 1);
    }
    return;
  }
  s.unread = fresh.unread_count || 0;
  render();
}

function onEvent(frame) {
  const s = sessions.get(frame.session_id) || { id: frame.session_id, status: 'open', at: frame.occurred_at };
  if (frame.type === 'session_created') {
    s.customer = frame.customer_user_id;
    s.customerName = frame.customer_name;
    s.metadata = frame.metadata || null;
    s.status = frame.status || 'open';
    s.createdAt = frame.occurred_at;
    notify(s, 'New chat', `Customer ${customerOf(s)}`);
  } else if (frame.type === 'message_created') {
    s.preview = frame.content;
    s.lastMessageId = frame.message_id;
    s.at = frame.occurred_at;
    if (frame.role === 'user' && (!s.claimedBy || s.claimedBy === me)) {
      notify(s, `Customer ${customerOf(s)}`, frame.content);
    }
    if (frame.sender_user_id !== me && s.id !== selected) {
      s.unread = (s.unread || 0) + 1; // the selected chat marks what it shows as read (markSeen)
      (s.unreadIds ||= new Set()).add(frame.message_id);
    }
  } else if (frame.type === 'message_deleted') {
    if (frame.message_id === s.lastMessageId) {
      s.preview = null; // its text leaves the list too (a card number pasted by mistake)
    }
    if (s.unreadIds?.delete(frame.message_id)) {
      s.unread = Math.max(0, (s.unread || 0) - 1); // nothing left to read there (chat-api counts it so too)
    } else if (s.unread > 0 && s.id !== selected) {
      recount(s.id); // perhaps one chat-api counted when the list loaded: only chat-api knows
    }
  } else if (frame.type === 'session_status') {
    s.status = frame.status;
  } else if (frame.type === 'session_claimed') {
    s.claimedBy = frame.claimed_by || null;
    if (!frame.claimed_by && frame.by !== me && s.status === 'open') {
      // a chat that needs someone again: its operator released it, or left (chat-api released it)
      notify(s, 'Back in the queue', frame.by === 'parley' ? `Customer ${customerOf(s)}: ${frame.previous} left`
        : `Customer ${customerOf(s)}: released by ${frame.by}`);
    }
  } else if (frame.type === 'session_rated') {
    s.rating = frame.rating; // the customer's, after the chat ended
  }
  s.at = s.at || frame.occurred_at;
  sessions.set(s.id, s);
  render();
  if (s.id === selected) {
    showSessionStatus(s.status);
  }
}

/** Who holds the selected chat, and which of claim / release / transfer apply. */
function showHolder() {
  const s = sessions.get(selected);
  const holder = s?.claimedBy || null;
  $('holder').textContent = !s ? '' : holder ? `Claimed by ${holder === me ? 'you' : holder}` : 'Unclaimed';
  const open = s?.status === 'open';
  // a supporter claims a free chat and hands on their own; an admin also takes over another's
  // chat and releases or hands on anyone's (chat-api refuses the rest)
  const another = holder !== null && holder !== me;
  const takeOver = another && admin;
  $('claim').textContent = takeOver ? 'Take over' : 'Claim';
  $('claim').dataset.takeOver = String(takeOver);
  $('claim').disabled = !open || holder === me || (another && !admin);
  const handOn = open && holder !== null && (holder === me || admin);
  $('release').disabled = !handOn;
  $('transfer').disabled = !handOn;
  $('transfer-to').disabled = !handOn;
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
  chat.addEventListener('messages', mine(() => {
    renderMessages($('messages'), chat.messages, me, customerRead(chat), { remove: deleteMessage });
    markSeen(chat);
  }));
  chat.addEventListener('read', mine(() => renderMessages($('messages'), chat.messages, me, customerRead(chat), { remove: deleteMessage })));
  chat.addEventListener('messages', () => renderSide());
  chat.addEventListener('read', () => renderSide());
  chat.addEventListener('typing', () => renderSide());
  chat.addEventListener('presence', mine((e) => { $('presence').textContent = presenceText(e.detail.participants); }));
  chat.addEventListener('typing', mine((e) => { $('typing').textContent = typingText(e.detail.users, me); }));
  chat.addEventListener('status', mine((e) => showSessionStatus(e.detail.status)));
  chat.addEventListener('claim', (e) => {
    const s = sessions.get(id);
    if (s) {
      s.claimedBy = e.detail.claimedBy;
      render();
    }
    if (selected === id) {
      showHolder();
    }
  });
  chat.addEventListener('error', mine((e) => showChatError($('error'), e.detail)));
  return chat;
}

/** Who else is in the chat right now, across every instance. */
function presenceText(participants) {
  const others = (participants || []).filter((p) => p.user_id !== me);
  return others.length === 0 ? 'Nobody else is here.'
    : `Here: ${others.map((p) => `${p.name || p.user_id} (${roleName(p.role)})`).join(', ')}`;
}

/** The chats followed besides the selected one, side by side: the last messages, typing, a reply box. */
const sideCards = new Map(); // session id -> {card, list, typing}: kept, so a reply being typed survives updates

function renderSide() {
  const others = [...chats.entries()].filter(([id]) => id !== selected);
  $('side').hidden = others.length === 0;
  for (const id of [...sideCards.keys()]) {
    if (!others.some(([other]) => other === id)) {
      sideCards.get(id).card.remove();
      sideCards.delete(id);
    }
  }
  for (const [id, chat] of others) {
    const card = sideCards.get(id) || sideCard(id, chat);
    renderMessages(card.list, chat.messages.slice(-4), me, customerRead(chat));
    card.typing.textContent = typingText(chat.conversation.typists(), me);
  }
}

function sideCard(id, chat) {
  const card = document.createElement('article');
  card.className = 'side-chat';
  card.dataset.session = id;
  const title = document.createElement('button');
  title.type = 'button';
  title.className = 'link';
  title.textContent = `Customer ${customerOf(sessions.get(id))}`;
  title.addEventListener('click', () => select(id));
  const list = document.createElement('ol');
  list.className = 'messages compact';
  list.setAttribute('aria-label', `Messages with ${title.textContent}`);
  const typing = document.createElement('div');
  typing.className = 'typing';
  typing.setAttribute('aria-live', 'polite');
  const form = document.createElement('form');
  form.className = 'composer';
  const label = document.createElement('label');
  const input = enterSends(document.createElement('textarea'));
  input.id = `reply-${id}`;
  input.maxLength = 4000;
  input.rows = 1;
  label.htmlFor = input.id;
  label.className = 'sr-only';
  label.textContent = `Reply to ${title.textContent}`;
  const send = document.createElement('button');
  send.type = 'submit';
  send.textContent = 'Send';
  form.append(label, input, send);
  replies.attach(input, () => ({ customer: sessions.get(id)?.customerName || '', me: myName }));
  input.value = drafts.get(id)?.text || ''; // a reply begun in the big view goes on here, and back
  input.addEventListener('input', () => {
    chat.typing();
    keepDraft(id, input.value);
  });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (input.value.trim()) {
      chat.send(input.value);
      input.value = '';
      keepDraft(id, '');
    }
  });
  card.append(title, list, typing, form);
  $('side-chats').append(card);
  const entry = { card, list, typing };
  sideCards.set(id, entry);
  return entry;
}

function select(id) {
  if (selected !== id) {
    if (selected) {
      keepDraft(selected);
    }
    const draft = drafts.get(id);
    $('text').value = draft?.text || '';
    $('note-text').value = draft?.note || '';
    drafts.delete(id);
    $('transfer-to').value = ''; // whom the last chat was to go to: a Transfer here would hand over this one
  }
  selected = id;
  document.body.dataset.pane = 'chat'; // on a phone the chat takes the list's place
  const chat = follow(id);
  window.parleyChat = chat;
  render();
  $('error').textContent = '';
  $('typing').textContent = '';
  const s = sessions.get(id);
  $('session-title').textContent = `Session with customer ${customerOf(s)}`
    + (s?.customerName ? ` (${s.customer})` : ''); // the user id too, to look them up elsewhere
  showContext(s?.metadata);
  renderNotes();
  loadNotes(id);
  loadHistory(id, s?.customer);
  $('chat-state').hidden = false;
  showChatState();
  renderMessages($('messages'), chat.messages, me, customerRead(chat), { remove: deleteMessage });
  $('presence').textContent = presenceText(chat.conversation.presence);
  renderSide();
  showSessionStatus(chat.store.status || s?.status || 'open');
  if (s?.unread) {
    s.unread = 0; // stored by chat-api through the read frame: the badge stays cleared after a reload
    s.unreadIds = new Set();
    render();
  }
  markSeen(chat);
}

/** The drafts a reload of this tab left (an empty list when there are none, or no storage to read). */
function stored(key) {
  try {
    const kept = JSON.parse(sessionStorage.getItem(key) || '[]');
    return Array.isArray(kept) ? kept : [];
  } catch (e) {
    return [];
  }
}

// a reload or a navigation away: the open chat's boxes join the drafts, all of them into the tab's storage
addEventListener('pagehide', () => {
  if (selected) {
    keepDraft(selected);
  }
  try {
    sessionStorage.setItem(draftsKey, JSON.stringify([...drafts]));
  } catch (e) {
    // storage blocked: the drafts go with the page, as before
  }
});

/**
 * Keeps what the reply box and the note box hold for the chat being left, or what its card's reply
 * box holds (text); nothing is kept when both are empty.
 */
function keepDraft(id, text = $('text').value,
  note = id === selected ? $('note-text').value : drafts.get(id)?.note || '') {
  if (text.trim() || note.trim()) {
    drafts.set(id, { text, note });
  } else {
    drafts.delete(id);
  }
}

/**
 * The customer's other chats (chat-api's customer_user_id filter, the 20 with the newest activity),
 * to see what they asked before; one opens here like any other.
 */
async function loadHistory(id, customer) {
  $('history').hidden = true;
  if (!customer) {
    return;
  }
  let page;
  try {
    page = await api(cfg, 'GET', `/sessions?customer_user_id=${encodeURIComponent(customer)}&size=20`);
  } catch (e) {
    return; // the chat works without it
  }
  if (selected !== id) {
    return; // another chat was opened meanwhile
  }
  const others = page.items.filter((item) => item.id !== id);
  $('history-count').textContent = `${others.length}${page.has_more ? '+' : ''}`;
  $('history-list').replaceChildren(...others.map((item) => {
    const li = document.createElement('li');
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'link';
    button.dataset.session = item.id;
    const when = new Date(item.last_message_at || item.created_at)
      .toLocaleDateString([], { day: 'numeric', month: 'short', year: 'numeric' });
    const preview = item.last_message_preview || (item.last_message_id ? 'Message deleted' : 'No messages');
    button.textContent = `${when} · ${item.status}${item.rating ? ` · rated ${item.rating}` : ''} · ${preview}`;
    button.addEventListener('click', () => {
      if (!sessions.has(item.id)) {
        remember(item);
      }
      select(item.id);
    });
    li.append(button);
    return li;
  }));
  $('history').hidden = others.length === 0;
}

/**
 * Where the chat started and what the site told about the visitor (the session's metadata, as the
 * widget sends it: page {url, title}, language, and the site's own keys), as text; the page's
 * address is a link when it is a web address.
 */
function showContext(metadata) {
  const line = $('session-context');
  const { page: started, language, ...rest } = metadata && typeof metadata === 'object' ? metadata : {};
  const parts = [];
  if (started && typeof started === 'object' && (started.url || started.title)) {
    parts.push('Started on ');
    if (started.title) {
      parts.push(`“${String(started.title)}” `);
    }
    if (typeof started.url === 'string' && /^https?:\/\//i.test(started.url)) {
      const link = document.createElement('a');
      link.href = started.url;
      link.target = '_blank';
      link.rel = 'noopener noreferrer';
      link.textContent = started.url;
      parts.push(link);
    } else if (started.url) {
      parts.push(String(started.url));
    }
  }
  if (language) {
    parts.push(`${parts.length ? ' · ' : ''}language ${String(language)}`);
  }
  for (const [key, value] of Object.entries(rest)) {
    const shown = value !== null && typeof value === 'object' ? JSON.stringify(value) : String(value);
    parts.push(`${parts.length ? ' · ' : ''}${key}: ${shown.length > 200 ? `${shown.slice(0, 200)}…` : shown}`);
  }
  line.replaceChildren(...parts);
  line.hidden = parts.length === 0;
}

/** A note as chat-api lists it or a note_added frame carries it, in the session's list once. */
function keepNote(note) {
  const id = note.id || note.note_id;
  const list = notes.get(note.session_id) || [];
  if (!list.some((n) => n.id === id)) {
    list.push({ id, author: note.author_name || note.author_user_id, authorId: note.author_user_id,
      at: note.created_at || note.occurred_at, content: note.content });
    list.sort((a, b) => (a.at || '').localeCompare(b.at || ''));
  }
  notes.set(note.session_id, list);
}

/** The open chat's notes for the team (text only). */
function renderNotes() {
  $('notes').hidden = !selected;
  $('notes-list').replaceChildren(...(notes.get(selected) || []).map((note) => {
    const li = document.createElement('li');
    li.dataset.note = note.id;
    const who = document.createElement('span');
    who.className = 'who';
    const at = note.at ? new Date(note.at) : null;
    who.textContent = `${note.author}${at ? ` · ${at.toLocaleString([], { dateStyle: 'short', timeStyle: 'short' })}` : ''}`;
    const text = document.createElement('span');
    text.className = 'text';
    text.dir = 'auto';
    text.textContent = note.content;
    li.append(who, text);
    if (note.authorId === me || admin) { // chat-api lets a note's author and admins delete it
      const remove = document.createElement('button');
      remove.type = 'button';
      remove.className = 'delete';
      remove.textContent = 'Delete';
      remove.setAttribute('aria-label', `Delete the note “${note.content.slice(0, 40)}”`);
      remove.addEventListener('click', () => deleteNote(selected, note));
      li.append(remove);
    }
    return li;
  }));
}

/** Deletes a note for every staff member (its author's slip, a card number), after asking. */
async function deleteNote(sessionId, note) {
  if (!window.confirm('Delete this note for the whole team?')) {
    return;
  }
  try {
    await api(cfg, 'DELETE', `/sessions/${encodeURIComponent(sessionId)}/notes/${encodeURIComponent(note.id)}`);
    dropNote(sessionId, note.id);
  } catch (e) {
    $('error').textContent = `Could not delete the note: ${e.message}`;
  }
}

function dropNote(sessionId, noteId) {
  notes.set(sessionId, (notes.get(sessionId) || []).filter((n) => n.id !== noteId));
  if (sessionId === selected) {
    renderNotes();
  }
}

/** Reads the chat's notes from chat-api (a note written while this page was away is there too). */
async function loadNotes(id) {
  try {
    const page = await api(cfg, 'GET', `/sessions/${encodeURIComponent(id)}/notes`);
    page.notes.forEach(keepNote);
    if (id === selected) {
      renderNotes();
    }
  } catch (e) {
    $('error').textContent = `Could not read the notes: ${e.message}`;
  }
}

/** How far the chat's customer has read (their read receipts): staff's messages up to it show as seen. */
function customerRead(chat) {
  return chat.conversation.readUpTo((read) => read.role === 'user');
}

/** What the selected chat shows is read: stored by chat-api, so the badge stays cleared after a reload. */
function markSeen(chat) {
  const seq = chat.store.resumeSeq;
  if (chat.channel.state === 'subscribed' && seq > (chat.markedSeq || 0)) {
    chat.markedSeq = seq;
    chat.markRead(seq);
  }
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
  showHolder();
}

/** Claim, release or transfer the selected chat; every page learns the outcome from its event. */
async function changeHolder(method, path, body) {
  try {
    await api(cfg, method, `/sessions/${encodeURIComponent(selected)}${path}`, body);
  } catch (e) {
    $('error').textContent = e.message;
  }
}

/**
 * Deletes a message for everyone (a card number a customer pasted, abuse): chat-api blanks it in
 * history and every page shows "Message deleted" from its MessageDeleted event.
 */
async function deleteMessage(message) {
  if (!window.confirm('Delete this message for everyone in the chat?')) {
    return;
  }
  try {
    await api(cfg, 'DELETE', `/sessions/${encodeURIComponent(message.session_id || selected)}/messages/`
      + encodeURIComponent(message.message_id));
  } catch (e) {
    $('error').textContent = `Could not delete the message: ${e.message}`;
  }
}

async function setStatus(status) {
  try {
    await api(cfg, 'PATCH', `/sessions/${encodeURIComponent(selected)}`, { status });
  } catch (e) {
    $('error').textContent = `Could not change the status: ${e.message}`;
  }
}

/** The saved replies panel: every operator reads them; an admin edits and deletes them here. */
function renderReplies() {
  $('replies-count').textContent = String(replies.replies.length);
  $('saved-replies').replaceChildren(...replies.replies.map((reply) => {
    const li = replyItem(reply);
    if (admin) {
      const edit = document.createElement('button');
      edit.type = 'button';
      edit.className = 'secondary';
      edit.textContent = 'Edit';
      edit.setAttribute('aria-label', `Edit /${reply.shortcut}`);
      edit.addEventListener('click', () => {
        editing = reply.id; // saved again under any shortcut, it is this reply that changes (a rename)
        $('reply-shortcut').value = reply.shortcut;
        $('reply-content').value = reply.content;
        $('reply-content').focus();
      });
      const remove = document.createElement('button');
      remove.type = 'button';
      remove.className = 'secondary';
      remove.textContent = 'Delete';
      remove.setAttribute('aria-label', `Delete /${reply.shortcut}`);
      remove.addEventListener('click', () => deleteReply(reply));
      li.append(edit, remove);
    }
    return li;
  }));
}

/** The saved reply the form edits (its Edit was clicked), or null: the form adds one. */
let editing = null;

/**
 * Saves the form's reply: the one being edited, or the one with that shortcut, is changed (PUT);
 * otherwise a new one is added (POST).
 */
async function saveReply() {
  const shortcut = $('reply-shortcut').value.trim().replace(/^\//, '').toLowerCase();
  const content = $('reply-content').value;
  const existing = replies.replies.find((r) => r.id === editing) || replies.replies.find((r) => r.shortcut === shortcut);
  try {
    const saved = existing
      ? await api(cfg, 'PUT', `/saved-replies/${encodeURIComponent(existing.id)}`, { shortcut, content })
      : await api(cfg, 'POST', '/saved-replies', { shortcut, content });
    $('reply-shortcut').value = '';
    $('reply-content').value = '';
    editing = null;
    $('replies-note').textContent = `Saved /${saved.shortcut}.`;
  } catch (e) {
    $('replies-note').textContent = `Not saved: ${e.message}`;
  }
  replies.load().catch(() => {});
}

async function deleteReply(reply) {
  if (!window.confirm(`Delete the saved reply /${reply.shortcut}?`)) {
    return;
  }
  try {
    await api(cfg, 'DELETE', `/saved-replies/${encodeURIComponent(reply.id)}`);
    $('replies-note').textContent = `Deleted /${reply.shortcut}.`;
  } catch (e) {
    $('replies-note').textContent = `Not deleted: ${e.message}`;
  }
  replies.load().catch(() => {});
}

const connection = new ParleyConnection(cfg);
window.parleyConnection = connection;

$('claim').addEventListener('click', () => changeHolder('POST',
  $('claim').dataset.takeOver === 'true' ? '/claim?take_over=true' : '/claim'));
$('release').addEventListener('click', () => changeHolder('DELETE', '/claim'));
$('transfer').addEventListener('click', () => {
  const to = $('transfer-to').value.trim();
  if (!to) {
    return;
  }
  // chat-api takes any user id of the tenant (it has no staff directory): a chat handed to a typo,
  // or to someone who is not there, waits with nobody; the page asks first
  const op = operators.get(to);
  const doubt = !op ? `${to} is not one of the tenant's operators this page knows (a typo?).`
    : op.status === 'offline' || op.status === 'away' ? `${op.name || to} is ${op.status}.` : null;
  if (doubt && !window.confirm(`${doubt} Transfer the chat to ${to} anyway?`)) {
    return;
  }
  changeHolder('POST', '/transfer', { to_user_id: to });
  $('transfer-to').value = '';
});
$('search').addEventListener('submit', (event) => {
  event.preventDefault();
  const text = $('search-text').value.trim();
  if (text) {
    search(text);
  } else {
    clearSearch();
  }
});
$('search-clear').addEventListener('click', clearSearch);
$('more').addEventListener('click', loadMore);
$('search-text').addEventListener('input', () => {
  if (!$('search-text').value && found) {
    clearSearch(); // the field emptied (its own clear button, or by hand): the list is the view again
  }
});
for (const radio of document.querySelectorAll('input[name="view"]')) {
  radio.addEventListener('change', () => { view = radio.value; clearSearch(); });
}
$('close').addEventListener('click', () => setStatus('closed'));
$('resolve').addEventListener('click', () => setStatus('resolved'));
// a phone shows one pane: back to the chats, the open one still followed (its draft, its unread badge)
$('back').addEventListener('click', () => {
  document.body.dataset.pane = 'list';
  document.querySelector(`#sessions button[data-session="${CSS.escape(selected || '')}"]`)?.focus();
});
$('leave').addEventListener('click', () => {
  chats.get(selected)?.close();
  chats.delete(selected);
  if (selected) {
    keepDraft(selected); // back in the box when the chat is opened again
  }
  $('text').value = '';
  $('note-text').value = '';
  selected = null;
  document.body.dataset.pane = 'list';
  $('presence').textContent = '';
  renderSide();
  $('messages').replaceChildren();
  $('chat-state').hidden = true;
  $('session-title').textContent = 'Select a session';
  showContext(null);
  $('history').hidden = true;
  renderNotes();
  showSessionStatus('closed');
  render();
});
enterSends($('text')).addEventListener('input', () => chats.get(selected)?.typing());
replies.attach($('text'), () => ({ customer: sessions.get(selected)?.customerName || '', me: myName }));
replies.addEventListener('change', renderReplies);
// admins: a notice to every open page of the tenant, and a customer's privacy request
$('notice-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  try {
    await api(cfg, 'POST', '/notices', { message: $('notice-text').value, severity: $('notice-severity').value });
    $('notice-text').value = '';
    $('admin-note').textContent = 'Notice posted: every open page of the tenant shows it now.';
  } catch (e) {
    $('admin-note').textContent = `Notice not posted: ${e.message}`;
  }
});
$('erasure-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const customer = $('erasure-customer').value.trim();
  if (!customer || !window.confirm(`Erase every message of every chat of ${customer}, for everyone? `
    + 'This cannot be undone.')) {
    return;
  }
  try {
    const done = await api(cfg, 'POST', '/erasures', { customer_user_id: customer });
    $('erasure-customer').value = '';
    $('admin-note').textContent = `Erased ${done.messages} ${done.messages === 1 ? 'message' : 'messages'} in `
      + `${done.sessions} ${done.sessions === 1 ? 'chat' : 'chats'} of ${customer}.`;
  } catch (e) {
    $('admin-note').textContent = `Not erased: ${e.message}`;
  }
});
enterSends($('note-text'));
$('note-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const id = selected;
  const content = $('note-text').value;
  if (!id || !content.trim()) {
    return;
  }
  try {
    keepNote(await api(cfg, 'POST', `/sessions/${encodeURIComponent(id)}/notes`, { content }));
    if (id === selected) {
      $('note-text').value = '';
      renderNotes();
    } else {
      // another chat was opened meanwhile: its note box is its own; this note is added, no draft of it stays
      keepDraft(id, drafts.get(id)?.text || '', '');
    }
  } catch (e) {
    $('error').textContent = `Could not add the note: ${e.message}`;
  }
});
$('reply-form').addEventListener('submit', (event) => {
  event.preventDefault();
  saveReply();
});
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
  if (admin) {
    // admins: the tenant's figures, summed over every gateway instance, every few seconds
    const figures = connection.subscribe('stats');
    figures.addEventListener('signal', (e) => {
      if (e.detail.type === 'tenant_stats') {
        renderFigures(e.detail);
      }
    });
  }
  $('reply-form').hidden = !admin;
  $('admin-tools').hidden = !admin;
  replies.load().catch((e) => { $('replies-note').textContent = `Saved replies not read: ${e.message}`; });
  const roster = connection.subscribe('operators');
  roster.addEventListener('signal', (e) => {
    if (e.detail.type === 'operator_status') {
      operators.set(e.detail.user_id, e.detail);
      renderOperators();
      if (e.detail.user_id === me && e.detail.status !== 'offline') {
        // what the others see of me: a status chosen before a reload comes back with me
        $('my-status').value = e.detail.status;
      }
    }
  });
  $('my-status').addEventListener('change', () => connection.setStatus($('my-status').value));
  showNotifyState();
  $('notify').addEventListener('click', () => Notification.requestPermission().then(showNotifyState));
  // no key, click or pointer in any of my tabs for a while (away_after seconds, default 10 minutes): away
  // for the customers, and back at the next one
  new IdleAway(connection, { afterMs: cfg.awayAfterMs }).start().addEventListener('idle', (e) => {
    $('idle-note').hidden = !e.detail.idle;
  });
  const dashboard = connection.subscribe('dashboard');
  // the dashboard channel does not replay: the list comes from REST on every (re)subscription
  dashboard.addEventListener('subscribed', reload);
  dashboard.addEventListener('event', (e) => onEvent(e.detail));
  connection.addEventListener('notice', (e) => showNotice($('notice-banner'), e.detail));
  connection.addEventListener('note', (e) => { // another operator's note (or this page's, once more)
    if (e.detail.type === 'note_deleted') {
      dropNote(e.detail.session_id, e.detail.note_id);
      return;
    }
    keepNote(e.detail);
    if (e.detail.session_id === selected) {
      renderNotes();
    }
  });
  connection.addEventListener('state', (e) => {
    showState($('state'), e.detail);
    showChatState();
  });
  connection.connect();
  setInterval(render, 15000); // the queue's waiting times move on
}
